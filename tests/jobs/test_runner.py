"""One job from claim to outcome, run inline on SQLite and PostgreSQL (the pose model is not needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

import kneeline.pipeline
from kneeline.errors import CaptureError
from kneeline.jobs.base import GAVE_UP_MESSAGE, MAX_ATTEMPTS, InlineJobs, JobQueue, resumable_jobs
from kneeline.jobs.pool import ProcessPoolJobs
from kneeline.jobs.runner import LOG_NAME, run_analysis
from kneeline.store.db import Database
from kneeline.store.files import FileStore
from kneeline.store.models import Analysis, User

from .conftest import QueueJob, row


def test_both_queues_implement_the_protocol(db_url: str, data_dir: Path):
    assert isinstance(InlineJobs(db_url, data_dir), JobQueue)
    pool = ProcessPoolJobs(db_url, data_dir)
    assert isinstance(pool, JobQueue)
    pool.shutdown()  # no worker was ever started


def test_a_text_file_fails_with_the_users_message(db: Database, db_url: str, data_dir: Path, queue_job: QueueJob):
    analysis_id = queue_job(b"just some text, not a video\n" * 40, name="holiday.mp4")
    assert run_analysis(db_url, data_dir, analysis_id) == "failed"
    job = row(db, analysis_id)
    assert job.status == "failed" and job.stage == "failed" and job.attempts == 1
    assert str(job.error).startswith("holiday.mp4 is a text file, not a video")  # named as the user named it
    assert "Traceback" not in str(job.error) and str(data_dir) not in str(job.error)
    assert job.started_at is not None and job.finished_at is not None and job.finished_at >= job.started_at
    assert job.result is None and job.files is None
    assert not FileStore(data_dir).analysis_dir(analysis_id).exists()
    assert not (data_dir / "logs" / LOG_NAME).exists()  # a user error is not an internal error


def test_a_video_without_a_person_fails_with_the_capture_message(db: Database, db_url: str, data_dir: Path,
                                                                 queue_job: QueueJob, monkeypatch):
    def no_person(*args, **kwargs):
        raise CaptureError("no person was found in any of the 30 frames. Film the whole body.")

    monkeypatch.setattr(kneeline.pipeline, "analyze_video", no_person)
    analysis_id = queue_job(b"stored bytes")
    InlineJobs(db_url, data_dir).submit(analysis_id)
    assert row(db, analysis_id).error == "no person was found in any of the 30 frames. Film the whole body."


def test_a_missing_video_file_fails_clearly(db: Database, db_url: str, data_dir: Path, queue_job: QueueJob):
    analysis_id = queue_job(b"never stored", name="gone.mov", store=False)
    InlineJobs(db_url, data_dir).submit(analysis_id)
    job = row(db, analysis_id)
    assert job.status == "failed" and "gone.mov is missing" in str(job.error)


def test_an_unexpected_error_is_logged_not_shown(db: Database, db_url: str, data_dir: Path, queue_job: QueueJob,
                                                 monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("secret internal detail /srv/kneeline")

    monkeypatch.setattr(kneeline.pipeline, "analyze_video", broken)
    analysis_id = queue_job(b"stored bytes")
    assert run_analysis(db_url, data_dir, analysis_id) == "failed"
    job = row(db, analysis_id)
    assert job.status == "failed" and job.error is not None
    assert job.error.startswith("internal error") and "details logged" in job.error
    assert f"analysis {analysis_id}" in job.error and "secret" not in job.error
    log = (data_dir / "logs" / LOG_NAME).read_text()
    assert "ZeroDivisionError: secret internal detail" in log and f"analysis {analysis_id} attempt 1" in log
    assert list(data_dir.glob("analyses/.*")) == []  # the work folder was removed


def test_a_coaching_job_of_the_wrong_exercise_fails_with_the_coach_message(db: Database, db_url: str,
                                                                         data_dir: Path, queue_job: QueueJob):
    """A video with no person in it, named as a clamshell set: the coach's own message is shown."""
    import cv2
    import numpy as np

    path = data_dir / "empty-room.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (160, 120))
    for _ in range(30):
        writer.write(np.full((120, 160, 3), 90, dtype=np.uint8))
    writer.release()
    analysis_id = queue_job(path.read_bytes(), kind="coach", test="clamshell")
    InlineJobs(db_url, data_dir).submit(analysis_id)
    job = row(db, analysis_id)
    assert job.status == "failed" and job.error and "internal error" not in job.error


def test_progress_is_written_and_a_deleted_row_stops_the_job(db: Database, db_url: str, data_dir: Path,
                                                             queue_job: QueueJob, monkeypatch):
    seen: list[tuple[str, float, str]] = []
    analysis_id = queue_job(b"stored bytes")

    def deleting(path, test, *, side, settings, progress):
        progress(10, 100)
        job = row(db, analysis_id)
        seen.append((job.status, job.progress, job.stage))
        (FileStore(data_dir).analysis_dir(analysis_id)).mkdir()  # e.g. outputs of an earlier attempt
        with db.session() as session:  # the user deletes their account meanwhile
            session.execute(User.__table__.delete())
        import time

        time.sleep(0.3)  # past the progress throttle
        progress(50, 100)
        raise AssertionError("the job should have stopped at the progress write")

    monkeypatch.setattr(kneeline.pipeline, "analyze_video", deleting)
    assert run_analysis(db_url, data_dir, analysis_id) == "cancelled"
    assert seen == [("running", 0.02, "finding the body in each frame")]
    assert not FileStore(data_dir).analysis_dir(analysis_id).exists()
    assert list(data_dir.glob("analyses/.*")) == []


def test_finished_and_unknown_jobs_are_skipped(db: Database, db_url: str, data_dir: Path, queue_job: QueueJob):
    done = queue_job(b"x", status="done", attempts=1)
    assert run_analysis(db_url, data_dir, done) == "skipped"
    assert run_analysis(db_url, data_dir, 987654) == "skipped"
    assert row(db, done).attempts == 1


def test_resume_runs_interrupted_jobs_and_gives_up_after_three_starts(db: Database, db_url: str, data_dir: Path,
                                                                      queue_job: QueueJob):
    queued = queue_job(b"a", status="queued")
    crashed = queue_job(b"b", status="running", attempts=1)
    hopeless = queue_job(b"c", status="running", attempts=MAX_ATTEMPTS)
    finished = queue_job(b"d", status="done", attempts=1)
    failed = queue_job(b"e", status="failed", attempts=1, error="earlier")
    jobs = InlineJobs(db_url, data_dir, run=False)
    assert jobs.resume() == 2 and jobs.submitted == [queued, crashed]
    gave_up = row(db, hopeless)
    assert gave_up.status == "failed" and gave_up.error == GAVE_UP_MESSAGE == (
        "stopped 3 times while analysing; try a shorter video or report it")
    assert row(db, finished).status == "done" and row(db, failed).error == "earlier"
    assert resumable_jobs(db) == [queued, crashed]  # nothing ran: still to do


def test_a_job_started_too_often_is_given_up_at_its_claim(db: Database, db_url: str, data_dir: Path,
                                                          queue_job: QueueJob):
    analysis_id = queue_job(b"a", status="queued")
    with db.session() as session:
        session.execute(update(Analysis).values(attempts=MAX_ATTEMPTS))
    assert run_analysis(db_url, data_dir, analysis_id) == "skipped"
    assert row(db, analysis_id).error == GAVE_UP_MESSAGE


def test_a_shut_down_pool_refuses_jobs(db_url: str, data_dir: Path):
    pool = ProcessPoolJobs(db_url, data_dir)
    pool.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        pool.submit(1)


@pytest.mark.slow
def test_a_real_coaching_job_counts_the_squats_of_the_clip(db: Database, db_url: str, data_dir: Path,
                                                          queue_job: QueueJob, squat_clip: Path):
    """Four squats (see ``squat_clip``), coached as the library's squat: counted, outputs written."""
    analysis_id = queue_job(squat_clip, name="squats.mp4", kind="coach", test="squat")
    InlineJobs(db_url, data_dir).submit(analysis_id)
    job = row(db, analysis_id)
    assert job.status == "done", job.error
    assert job.result is not None and job.result["exercise"] == "squat"
    assert job.result["count"] == 4 and job.result["video"]["path"] == "squats.mp4"
    assert {"result.json", "annotated.webm", "plot.png"} <= set(job.files or [])
