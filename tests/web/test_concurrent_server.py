"""Issue 17, item 2: a real ``kneeline serve`` under concurrent writes, with one and several processes.

Clients sign up and send an intake at the same time against a real server (uvicorn, a real SQLite
file or PostgreSQL); none may fail.  Before the fix, blocking database work on the event loop and a
second pooled connection per page made 12 concurrent sign-ups fail with "database is locked" and
time-outs.  No timings are asserted: how fast is measured by ``benchmarks/web_load.py``.
"""

from __future__ import annotations

import inspect
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.web.builders import intake_form
from tests.web.server import child_workers, form_token, running_server

CLIENTS = 20
"""Concurrent sign-up + intake clients (argon2id makes each sign-up cost ~0.1-0.3 s of CPU)."""

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")


def _sign_up_and_intake(url: str, n: int) -> str | None:
    """Sign up patient ``n`` and send an intake; None when both worked, else what went wrong."""
    with httpx.Client(base_url=url, timeout=120) as client:
        token = form_token(client, "/signup")
        r = client.post("/signup", data={"csrf_token": token, "name": f"Patient {n}",
                                         "email": f"patient{n}@example.org", "password": "correct horse battery",
                                         "role": "patient"})
        if r.status_code != 303:
            return f"sign-up {n}: {r.status_code}"
        token = form_token(client, "/intake")
        r = client.post("/intake", data={"csrf_token": token, **intake_form()})
        if r.status_code != 303 or not r.headers.get("location", "").endswith("/program"):
            return f"intake {n}: {r.status_code}"
        page = client.get(r.headers["location"])
        return None if page.status_code == 200 else f"program page {n}: {page.status_code}"


@pytest.mark.parametrize("processes", [1, 2])
def test_concurrent_sign_ups_and_intakes_all_succeed(tmp_path: Path, db_url: str, processes: int) -> None:
    database_url = None if db_url.startswith("sqlite") else db_url
    env = {"KNEELINE_WEB__SIGNUP_MAX_PER_CLIENT": str(2 * CLIENTS), "KNEELINE_WEB__PROCESSES": str(processes)}
    with running_server(tmp_path / "srv", database_url, **env) as server, \
            ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        problems = [p for p in pool.map(lambda n: _sign_up_and_intake(server.url, n), range(CLIENTS)) if p]
    assert problems == [], f"{len(problems)} of {CLIENTS} clients failed: {problems[:5]}"


def test_several_server_processes_start_and_serve(tmp_path: Path) -> None:
    with running_server(tmp_path / "srv", KNEELINE_WEB__PROCESSES="2") as server:
        assert len(child_workers(server.process.pid)) == 2  # uvicorn's worker processes (spawned)
        with httpx.Client(base_url=server.url, timeout=30) as client:
            token = form_token(client, "/signup")  # the form may come from one process, the post go to another
            r = client.post("/signup", data={"csrf_token": token, "name": "Pat", "email": "pat@example.org",
                                             "password": "correct horse battery", "role": "patient"})
            assert r.status_code == 303
            assert client.get("/home").status_code == 200
    assert (tmp_path / "srv" / "server.lock").exists()  # one process held it: the one that did the chores


def test_no_route_that_takes_a_database_session_is_async() -> None:
    """A coroutine route runs on the event loop: its database waits would stall every request."""
    from fastapi.routing import APIRoute

    from kneeline.web.app import create_app
    from kneeline.web.deps import db_session

    def uses_session(dependant) -> bool:  # type: ignore[no-untyped-def]
        return any(d.call is db_session or uses_session(d) for d in dependant.dependencies)

    def async_with_session(dependant) -> list[str]:  # type: ignore[no-untyped-def]
        found = [getattr(d.call, "__name__", "?") for d in dependant.dependencies
                 if inspect.iscoroutinefunction(d.call) and uses_session(d)]
        return found + [name for d in dependant.dependencies for name in async_with_session(d)]

    app = create_app(start_jobs=False)
    offenders = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            if inspect.iscoroutinefunction(route.endpoint) and uses_session(route.dependant):
                offenders.append(f"{route.path}: {route.endpoint.__name__}")
            offenders += [f"{route.path}: dependency {name}" for name in async_with_session(route.dependant)]
    assert offenders == []
