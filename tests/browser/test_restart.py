"""A server killed in the middle of an analysis loses nothing: after a restart the job resumes and the
patient sees the result (issue 4, "a restart in the middle of an analysis loses nothing")."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.browser.harness import LiveServer
from tests.browser.helpers import PASSWORD, sign_up, upload_video, wait_for_analysis

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (the job workers), read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _crash(server: LiveServer) -> None:
    """Kill the server and its workers at once, as a power cut or a crash would (no clean shutdown)."""
    for child in _children(server.process.pid):
        os.kill(child, signal.SIGKILL)
    server.process.kill()
    server.process.wait(timeout=10)


def test_a_crash_mid_analysis_is_resumed_after_restart(browser, squat_clip: Path,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = LiveServer(data_dir, tmp_path / "first.log")
    try:
        first.wait_ready()
        context = browser.new_context(base_url=first.url)
        page = context.new_page()
        sign_up(page, "Rae Start", "rae@example.org")
        analysis_id = upload_video(page, squat_clip, test="squat")
        deadline = time.monotonic() + 120
        while True:  # wait until the model is really working on it
            status, progress = first.query("SELECT status, progress FROM analyses WHERE id = ?", analysis_id)[0]
            if status == "running" and progress >= 0.05:
                break
            assert status in ("queued", "running") and time.monotonic() < deadline, (status, progress)
            time.sleep(0.2)
        _crash(first)
        context.close()
    finally:
        first.stop()
    status, attempts = first.query("SELECT status, attempts FROM analyses WHERE id = ?", analysis_id)[0]
    assert status == "running" and attempts == 1  # what the crash left
    assert len(first.blobs()) == 1  # the upload is kept

    second = LiveServer(data_dir, tmp_path / "second.log")
    try:
        second.wait_ready()
        context = browser.new_context(base_url=second.url)
        page = context.new_page()
        page.goto("/login")
        page.fill('input[name="email"]', "rae@example.org")
        page.fill('input[name="password"]', PASSWORD)
        page.click('form[action="/login"] button[type="submit"]')
        page.wait_for_url("**/home")
        assert wait_for_analysis(page, analysis_id) == "done", page.content()[-1500:]
        assert page.locator("#rep-count").inner_text() == "4"
        status, attempts = second.query("SELECT status, attempts FROM analyses WHERE id = ?", analysis_id)[0]
        assert (status, attempts) == ("done", 2)
        context.close()
    finally:
        second.stop()
