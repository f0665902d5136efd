"""The web app's job queue on a Ray cluster started by the tests (``KNEELINE_JOBS=ray:...``)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from kneeline.config import Settings
from kneeline.errors import InputError
from kneeline.jobs.base import JobQueue
from kneeline.jobs.ray_queue import parse_jobs_setting
from kneeline.store.db import Database
from kneeline.store.files import FileStore

from .conftest import QueueJob, row

JOB_TIMEOUT_S = 240.0


def test_the_jobs_setting_names_the_engine_and_the_address():
    assert parse_jobs_setting("local") == ("local", None)
    assert parse_jobs_setting("ray") == ("ray", None)
    assert parse_jobs_setting("ray://10.0.0.5:10001") == ("ray", "ray://10.0.0.5:10001")
    assert parse_jobs_setting("ray:10.0.0.5:6379") == ("ray", "10.0.0.5:6379")
    with pytest.raises(ValueError, match="unknown jobs setting"):
        parse_jobs_setting("celery://x")
    assert Settings(jobs="ray://head:10001").jobs == "ray://head:10001"
    with pytest.raises(ValueError):
        Settings(jobs="spark")


def test_a_cluster_that_does_not_answer_is_refused_at_once(data_dir: Path):
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'kneeline[cluster]')")
    from kneeline.jobs.factory import make_job_queue

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InputError, match=f"no Ray cluster answers at 127.0.0.1:{port}"):
        make_job_queue(f"ray:127.0.0.1:{port}", "sqlite:///unused.db", data_dir, workers=1)


@pytest.mark.slow
def test_a_real_job_and_a_bad_video_run_on_ray(ray_cluster: str, db: Database, db_url: str, data_dir: Path,
                                               files: FileStore, queue_job: QueueJob, squat_clip: Path):
    from kneeline.jobs.factory import make_job_queue

    good = queue_job(squat_clip, name="squats.mp4")
    bad = queue_job(b"\x00\x01garbage" * 500, name="broken.mp4")
    jobs = make_job_queue(f"ray:{ray_cluster}", db_url, data_dir, workers=1)
    assert isinstance(jobs, JobQueue) and type(jobs).__name__ == "RayJobs"
    try:
        jobs.submit(good)
        jobs.submit(bad)
        assert jobs.wait(JOB_TIMEOUT_S), "the jobs did not finish in time"  # type: ignore[attr-defined]
    finally:
        jobs.shutdown()
    done = row(db, good)
    assert (done.status, done.error, done.attempts) == ("done", None, 1)
    assert done.result is not None and len(done.result["reps"]) >= 3
    assert (files.analysis_dir(good) / "result.json").is_file()
    failed = row(db, bad)
    assert failed.status == "failed" and str(failed.error).startswith("broken.mp4")
    assert jobs.resume() == 0  # nothing left to resume
