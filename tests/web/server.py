"""A real ``kneeline serve`` process on 127.0.0.1 for tests that need the real server (uvicorn)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A running ``kneeline serve``: its base URL and its process."""

    url: str
    process: subprocess.Popen[str]


@contextmanager
def running_server(data_dir: Path, database_url: str | None = None, **env: str) -> Iterator[Server]:
    """Start ``kneeline serve`` (settings from ``env``, e.g. ``KNEELINE_WEB__LOGIN_MAX_FAILURES``).

    The server is stopped at the end (unless the test killed it already).
    """
    port = free_port()
    args = [str(Path(sys.executable).with_name("kneeline")), "serve", "--port", str(port), "--data-dir",
            str(data_dir)]
    if database_url:
        args += ["--database-url", database_url]
    proc = subprocess.Popen(args, cwd=REPO, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"kneeline serve did not start: {proc.stderr.read() if proc.stderr else ''}")
            time.sleep(0.2)
        yield Server(url, proc)
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def form_token(client: httpx.Client, path: str = "/login") -> str:
    """The CSRF token of the form at ``path`` (the client keeps the pre-log-in cookie)."""
    found = _CSRF.search(client.get(path).text)
    assert found, f"{path} has no CSRF token"
    return found.group(1)


def child_workers(pid: int) -> list[int]:
    """The spawned worker processes (multiprocessing ``spawn_main``) whose parent is ``pid`` (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie, dead but not yet reaped, counts as dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
