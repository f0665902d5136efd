"""Issue 18, item 6: one runner per job (a lease), and workers that die with a killed server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kneeline.jobs.runner import LEASED, claim
from kneeline.store.db import Database

from .conftest import QueueJob, row

REPO = Path(__file__).resolve().parents[2]

_SERVER = """
import sys, time
from kneeline.jobs.pool import ProcessPoolJobs
from kneeline.store.db import open_database
from kneeline.store.models import Analysis
url, data_dir, analysis_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
jobs = ProcessPoolJobs(url, data_dir, workers=1)
jobs.submit(analysis_id)
db = open_database(url, upgrade=False)
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    with db.session() as s:
        if s.get(Analysis, analysis_id).status == "running":
            break
    time.sleep(0.05)
print(" ".join(str(p.pid) for p in jobs._executor._processes.values()), flush=True)
time.sleep(600)
"""
"""A stand-in for ``kneeline serve``: a process owning a pool whose worker is running a job."""


def test_a_live_lease_keeps_every_other_runner_out_until_it_ends(db: Database, queue_job: QueueJob) -> None:
    analysis_id = queue_job(b"not a video")
    first = claim(db, analysis_id, lease_s=1.5)
    assert not isinstance(first, str) and first is not None and first.attempt == 1
    assert claim(db, analysis_id, lease_s=1.5) == LEASED  # e.g. a restarted server resuming the job
    assert row(db, analysis_id).attempts == 1
    time.sleep(1.7)  # the first runner died without renewing its lease
    second = claim(db, analysis_id, lease_s=1.5)
    assert not isinstance(second, str) and second is not None and second.attempt == 2


def test_concurrent_claims_give_the_job_to_one_runner(db: Database, queue_job: QueueJob) -> None:
    analysis_id = queue_job(b"not a video")
    results: list[object] = []
    start = threading.Barrier(6)

    def race() -> None:
        start.wait()
        results.append(claim(db, analysis_id, lease_s=60))

    threads = [threading.Thread(target=race) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    winners = [r for r in results if r is not None and r != LEASED]
    assert len(results) == 6 and len(winners) == 1, results
    assert row(db, analysis_id).attempts == 1


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie, dead but not yet reaped, counts as dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc (Linux)")
def test_a_killed_server_takes_its_worker_with_it(db_url: str, db: Database, queue_job: QueueJob,
                                                   data_dir: Path, make_video) -> None:  # type: ignore[no-untyped-def]
    """kill -9 of the process owning the pool: its worker (mid-job) exits within seconds."""
    if not db_url.startswith("sqlite"):
        pytest.skip("process behaviour, not storage: the SQLite run covers it")
    video = make_video("long.mp4", n_frames=900, width=320, height=240)
    analysis_id = queue_job(video)
    server = subprocess.Popen([sys.executable, "-c", _SERVER, db_url, str(data_dir), str(analysis_id)],
                              cwd=REPO, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "KNEELINE_WEB__JOB_LEASE_S": "3"})
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        workers = [int(pid) for pid in line.split()]
        assert workers and all(_alive(pid) for pid in workers), f"no running worker reported: {line!r}"
        assert row(db, analysis_id).status == "running"
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers), "the worker outlived its killed server"
    finally:
        if server.poll() is None:
            server.kill()
        for pid in workers if "workers" in locals() else []:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    # the job's lease runs out (3 s): a restarted server claims it as a new attempt
    time.sleep(3.2)
    taken = claim(db, analysis_id, lease_s=60)
    assert taken is not None and taken != LEASED and taken.attempt == 2
