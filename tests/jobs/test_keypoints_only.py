"""Privacy option "keep keypoints only": the video goes once analysed; re-analysis uses the keypoints."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from kneeline.jobs.runner import KEYPOINTS_NAME, run_analysis
from kneeline.store.db import Database
from kneeline.store.files import FileStore
from kneeline.store.models import Analysis

from .conftest import QueueJob, row


@pytest.mark.slow
def test_keep_keypoints_only_deletes_the_video_and_reanalyses_from_keypoints(  # type: ignore[no-untyped-def]
        db_url: str, db: Database, files: FileStore, data_dir: Path, queue_job: QueueJob, squat_clip: Path,
        monkeypatch) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("the pose model's work, not storage: the SQLite run covers it")
    monkeypatch.setenv("KNEELINE_PRIVACY__KEEP_KEYPOINTS_ONLY", "true")
    analysis_id = queue_job(squat_clip, name="squats.mp4")
    sha = row(db, analysis_id).video_sha256
    assert run_analysis(db_url, data_dir, analysis_id) == "done"
    first = row(db, analysis_id)
    assert KEYPOINTS_NAME in (first.files or []) and not files.has(sha), "the video should be deleted"
    with db.session() as s:  # analyse again (e.g. after a kneeline update)
        s.execute(update(Analysis).where(Analysis.id == analysis_id).values(status="queued", attempts=0))
    assert run_analysis(db_url, data_dir, analysis_id) == "done"
    again = row(db, analysis_id)
    assert again.result is not None and first.result is not None
    assert len(again.result["reps"]) == len(first.result["reps"]) >= 3
    assert "annotated.mp4" not in (again.files or []) and KEYPOINTS_NAME in (again.files or [])
