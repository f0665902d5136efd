"""A real ``kneeline serve`` in a subprocess and headless Debian Chromium with a fake camera.

Used by the browser tests and by ``benchmarks/live_latency.py`` (so: no pytest here).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

__all__ = ["LiveServer", "free_port", "SERVER_START_S", "BROWSER_ARGS", "CHROMIUM_ENV", "chromium_path", "launch"]

CHROMIUM_ENV = "KNEELINE_CHROMIUM"
"""Environment variable naming the Chromium executable (default ``/usr/bin/chromium``, Debian's)."""

BROWSER_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
    "--mute-audio", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    # a page in a background tab or an occluded headless window must keep its timers and camera running
    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]


def chromium_path() -> Path:
    """Debian's Chromium (``$KNEELINE_CHROMIUM`` overrides)."""
    return Path(os.environ.get(CHROMIUM_ENV, "/usr/bin/chromium"))


def launch(p: Playwright, executable: Path, *extra: str) -> Browser:
    """Headless Chromium with a fake camera (Chromium's pattern, or ``--use-file-for-fake-video-capture``)."""
    return p.chromium.launch(executable_path=str(executable), headless=True, args=[*BROWSER_ARGS, *extra])

SERVER_START_S = 90.0
"""Longest wait for the server to answer (imports, database migration)."""

def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """A ``kneeline serve`` subprocess: its address, data folder and log."""

    def __init__(self, data_dir: Path, log_path: Path, *, workers: int = 1) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log_path.open("wb")
        command = [sys.executable, "-c", "import sys; from kneeline.cli import main; sys.exit(main())",
                   "serve", "--host", "127.0.0.1", "--port", str(self.port), "--data-dir", str(data_dir),
                   "--workers", str(workers)]
        # Every browser test signs up its own people, all from 127.0.0.1: the per-address sign-up limit
        # (web.signup_max_per_client, 10) is for strangers, not for this one test machine playing many users.
        env = {**os.environ, "KNEELINE_WEB__SIGNUP_MAX_PER_CLIENT": "1000"}
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT,
                                        cwd=Path(__file__).resolve().parents[2], env=env)

    def log_tail(self, n_chars: int = 4000) -> str:
        """The end of the server's output (for failure messages)."""
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-n_chars:]

    def wait_ready(self, timeout_s: float = SERVER_START_S) -> None:
        """Wait until ``/login`` answers; raise with the server's log when it exits or times out."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"kneeline serve exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/login", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"kneeline serve did not answer within {timeout_s:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 15 s) and its job workers."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()

    # -- reading the server's database (read-only) to check what was stored --

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of a read-only SQL query on the server's SQLite database."""
        uri = f"file:{self.data_dir / 'kneeline.db'}?mode=ro"
        with sqlite3.connect(uri, uri=True, timeout=30) as conn:
            return conn.execute(sql, params).fetchall()

    def blobs(self) -> list[Path]:
        """The uploaded videos kept in the file store."""
        root = self.data_dir / "blobs"
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []

    def wait_jobs_idle(self, timeout_s: float = 240.0) -> None:
        """Wait until no analysis is queued or running (live coaching needs the CPU to itself)."""
        deadline = time.monotonic() + timeout_s
        while self.query("SELECT COUNT(*) FROM analyses WHERE status IN ('queued', 'running')")[0][0]:
            if time.monotonic() > deadline:
                raise AssertionError(f"analyses still running after {timeout_s:.0f} s")
            time.sleep(1.0)


