"""Real jobs in spawned worker processes: the pose model on a real clip, crashes and restarts."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from kneeline.jobs.pool import ProcessPoolJobs
from kneeline.store.db import Database
from kneeline.store.files import FileStore

from .conftest import QueueJob, row

JOB_TIMEOUT_S = 240.0
"""Generous: the machine running the tests may be busy."""

OUTPUTS = ["annotated.mp4", "annotated.webm", "frames.csv", "keypoints.csv", "plot.png", "result.json"]


class Watcher:
    """Polls rows from the test process and records every (status, progress, stage) seen."""

    def __init__(self, db: Database, analysis_id: int) -> None:
        self.db, self.analysis_id = db, analysis_id
        self.seen: list[tuple[str, float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            job = row(self.db, self.analysis_id)
            state = (job.status, job.progress, job.stage)
            if not self.seen or self.seen[-1] != state:
                self.seen.append(state)
            time.sleep(0.1)

    def stop(self) -> list[tuple[str, float, str]]:
        self._stop.set()
        self._thread.join()
        return self.seen


def _check_done(db: Database, files: FileStore, analysis_id: int, attempts: int) -> None:
    job = row(db, analysis_id)
    assert (job.status, job.error, job.attempts) == ("done", None, attempts)
    assert job.progress == 1.0 and job.stage == "done" and job.finished_at is not None
    assert job.files == OUTPUTS
    folder = files.analysis_dir(analysis_id)
    assert sorted(p.name for p in folder.iterdir()) == OUTPUTS
    assert job.result == json.loads((folder / "result.json").read_text())
    assert job.result is not None and job.result["test"] == "squat" and len(job.result["reps"]) >= 3
    assert job.result["video"]["path"] == "squats.mp4"  # the user's name, not the server's blob path
    assert list(files.analyses_dir.glob(".*")) == []  # no work folder left


@pytest.mark.slow
def test_a_real_job_and_a_bad_video_in_worker_processes(db: Database, db_url: str, data_dir: Path,
                                                        files: FileStore, queue_job: QueueJob, squat_clip: Path):
    good = queue_job(squat_clip, name="squats.mp4")
    bad = queue_job(b"\x00\x01garbage" * 500, name="broken.mp4")
    watcher = Watcher(db, good)
    pool = ProcessPoolJobs(db_url, data_dir, workers=1)
    try:
        pool.submit(good)
        pool.submit(bad)
        assert pool.wait(JOB_TIMEOUT_S), "the jobs did not finish in time"
    finally:
        pool.shutdown()
        seen = watcher.stop()
    _check_done(db, files, good, attempts=1)
    running = [s for s in seen if s[0] == "running"]
    assert any(0.02 < p < 0.7 and stage == "finding the body in each frame" for _, p, stage in running), seen
    assert any(0.72 <= p <= 0.99 and stage == "drawing the annotated video" for _, p, stage in running), seen
    progress = [p for _, p, _ in running]
    assert progress == sorted(progress)  # never goes back
    failed = row(db, bad)
    assert failed.status == "failed" and str(failed.error).startswith("broken.mp4")
    assert "Traceback" not in str(failed.error)


def _wait_until_started(db: Database, analysis_id: int) -> None:
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while row(db, analysis_id).progress < 0.05:
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.1)


@pytest.mark.slow
def test_a_job_interrupted_by_a_restart_is_resumed(db: Database, db_url: str, data_dir: Path, files: FileStore,
                                                   queue_job: QueueJob, squat_clip: Path):
    analysis_id = queue_job(squat_clip, name="squats.mp4")
    waiting = queue_job(b"never started", name="second.mp4")
    first = ProcessPoolJobs(db_url, data_dir, workers=1)
    first.submit(analysis_id)
    first.submit(waiting)
    _wait_until_started(db, analysis_id)
    started = time.monotonic()
    first.shutdown(wait=False)  # the server stops mid-job
    assert time.monotonic() - started < 15, "shutdown(wait=False) waited for the running job"
    interrupted = row(db, analysis_id)
    assert (interrupted.status, interrupted.attempts) == ("running", 1) and 0 < interrupted.progress < 1
    assert row(db, waiting).status == "queued"
    assert not files.analysis_dir(analysis_id).exists()  # nothing half-published
    second = ProcessPoolJobs(db_url, data_dir, workers=1)  # the next start
    try:
        assert second.resume() == 2
        assert second.wait(JOB_TIMEOUT_S), "the resumed job did not finish in time"
    finally:
        second.shutdown()
    _check_done(db, files, analysis_id, attempts=2)
    assert row(db, waiting).status == "failed" and row(db, waiting).attempts == 1


@pytest.mark.slow
def test_a_worker_killed_mid_job_is_replaced_and_the_job_run_again(db: Database, db_url: str, data_dir: Path,
                                                                   files: FileStore, queue_job: QueueJob,
                                                                   squat_clip: Path):
    if not db_url.startswith("sqlite"):
        pytest.skip("the crash path does not depend on the database; once on SQLite is enough")
    analysis_id = queue_job(squat_clip, name="squats.mp4")
    pool = ProcessPoolJobs(db_url, data_dir, workers=1)
    try:
        pool.submit(analysis_id)
        _wait_until_started(db, analysis_id)
        workers = list(pool._executor._processes)  # type: ignore[union-attr]  # the test needs the pid
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGKILL)  # e.g. the kernel's out-of-memory killer
        assert pool.wait(JOB_TIMEOUT_S), "the job was not run again after the crash"
    finally:
        pool.shutdown()
    _check_done(db, files, analysis_id, attempts=2)

