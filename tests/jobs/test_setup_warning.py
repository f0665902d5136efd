"""A test recorded before the setup assistant's checks were met ("record anyway"): the analysis says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kneeline.capture.setup import recorded_anyway_warning
from kneeline.jobs.base import InlineJobs
from kneeline.store.db import Database
from kneeline.store.files import FileStore

from .conftest import QueueJob, row


@pytest.mark.slow
def test_record_anyway_warning_joins_the_capture_warnings(db: Database, db_url: str, data_dir: Path,
                                                          files: FileStore, queue_job: QueueJob,
                                                          squat_clip: Path) -> None:
    warning = recorded_anyway_warning(["facing"])
    analysis_id = queue_job(squat_clip, name="recording.webm", test="squat", setup_warning=warning)
    InlineJobs(db_url, data_dir).submit(analysis_id)
    job = row(db, analysis_id)
    assert job.status == "done", job.error
    assert job.result is not None and warning in job.result["capture"]["warnings"]
    assert {"code": "setup_not_met", "level": "warning", "message": warning} in job.result["capture"]["issues"]
    written = json.loads((files.analysis_dir(analysis_id) / "result.json").read_text())
    assert warning in written["capture"]["warnings"]
