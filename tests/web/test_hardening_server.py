"""Issue 18, item 6 end to end: ``kill -9`` of a real ``kneeline serve`` mid-analysis.

Its worker must die with it (not finish the job, take the next one or hang on a dead pipe), and the
restarted server must run the job exactly once more (one runner: the lease of the dead worker's
claim runs out, then the job is claimed as attempt 2) and finish it.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.web.server import alive, child_workers, form_token, running_server

PASSWORD = "the right password"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")]


def _status(client: httpx.Client, location: str) -> dict[str, object]:
    data: dict[str, object] = client.get(f"{location}/status").json()
    return data


def test_a_killed_server_takes_its_worker_and_the_restart_runs_the_job_once(tmp_path, squat_clip) -> None:  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "srv"
    env = {"KNEELINE_WEB__JOB_LEASE_S": "3"}
    with running_server(data_dir, **env) as server:
        client = httpx.Client(base_url=server.url, timeout=60)
        token = form_token(client, "/signup")
        assert client.post("/signup", data={"csrf_token": token, "name": "Pat", "email": "pat@example.org",
                                            "password": PASSWORD, "role": "patient"}).status_code == 303
        token = form_token(client, "/tests")
        r = client.post("/tests/upload", data={"csrf_token": token, "test": "squat", "side": "auto"},
                        files={"video": ("squats.mp4", squat_clip.read_bytes(), "video/mp4")})
        assert r.status_code == 303, r.text
        location = r.headers["location"]
        deadline = time.monotonic() + 120
        while _status(client, location)["status"] != "running" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _status(client, location)["status"] == "running"
        workers = child_workers(server.process.pid)
        assert workers, "the server has no worker process"
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        leftover = [pid for pid in workers if alive(pid)]
        for pid in leftover:
            os.kill(pid, signal.SIGKILL)
        assert not leftover, "a worker outlived its killed server"
    with running_server(data_dir, **env) as server:
        client = httpx.Client(base_url=server.url, timeout=60, cookies=client.cookies)
        deadline = time.monotonic() + 240
        while _status(client, location)["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.5)
        final = _status(client, location)
        assert final["status"] == "done", final
    from kneeline.store.db import database_url, open_database
    from kneeline.store.models import Analysis

    db = open_database(database_url(data_dir), upgrade=False)
    try:
        with db.session() as s:
            row = s.get(Analysis, int(location.rsplit("/", 1)[1]))
            assert row is not None and row.attempts == 2 and row.lease_until is None
    finally:
        db.dispose()
