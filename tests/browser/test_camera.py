"""The browser camera: recording a test with MediaRecorder, and live coaching over the WebSocket.

Chromium's fake camera plays ``squat.y4m``: the real squat video (six squats in 13.3 s, the person
standing still for the first ~4 s) at 30 fps, then its last frame for 6 s, looping.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.browser.harness import LiveServer
from tests.browser.helpers import SQUAT_REPS, fill_intake, page_text, sign_up, wait_for_analysis

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

RECORD_S = 9.0
"""Seconds recorded with the camera: the standing start and the first three or four squats."""
STILL_S = 5.0
"""The live count is final when it has not changed for this long (the video's still tail is 6 s + 4 s)."""
LIVE_TIMEOUT_S = 60.0


@pytest.fixture
def camera_page(camera_browser: Browser, server: LiveServer) -> Iterator[Page]:
    """A page of a browser whose camera plays the squat video."""
    context: BrowserContext = camera_browser.new_context(base_url=server.url)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.slow
def test_record_with_camera_and_analyse(camera_page: Page, server: LiveServer) -> None:
    page = camera_page
    sign_up(page, "Rosa Recorder", "rosa@example.org")
    fill_intake(page)
    page.goto("/tests")
    assert page.locator("#recorder").is_visible(), "the camera recorder is hidden (no MediaRecorder?)"
    page.check('input[name="test"][value="squat"]')
    page.click("#camera-start")
    page.wait_for_function("() => !document.getElementById('record-start').disabled", timeout=15_000)
    page.wait_for_function("() => document.getElementById('preview').videoWidth > 0", timeout=15_000)
    assert page.locator("#preview").evaluate("v => [v.videoWidth, v.videoHeight]") == [360, 640]
    page.click("#record-start")
    page.wait_for_timeout(RECORD_S * 1000)
    page.click("#record-stop")
    page.wait_for_function("() => document.getElementById('video-file').files.length === 1", timeout=15_000)
    size = page.evaluate("() => document.getElementById('video-file').files[0].size")
    assert size > 50_000, f"the recording is only {size} bytes"
    assert "Recorded" in page.locator("#record-status").inner_text()
    page.click("#upload-submit")
    page.wait_for_url(re.compile(r".*/analyses/\d+$"))
    analysis_id = int(page.url.rsplit("/", 1)[1])

    status = wait_for_analysis(page, analysis_id)
    if status == "failed":
        message = page.locator("#job-error").inner_text()
        assert message and "internal error" not in message, f"the recording failed without a clear message: {message}"
        pytest.fail(f"the camera recording was analysed but refused: {message}")
    reps = int(page.locator("#rep-count").inner_text())
    print(f"camera recording of {RECORD_S:.0f} s ({size / 1e3:.0f} kB webm): analysis done, {reps} reps")
    assert 1 <= reps <= SQUAT_REPS, page_text(page)
    assert page.locator("#summary tbody tr").count() > 0


def _wait_count_settles(page: Page) -> tuple[int, list[tuple[float, int]]]:
    """Poll ``#live-count`` until it is above 0 and unchanged for :data:`STILL_S`; return it and its history."""
    start = time.monotonic()
    history: list[tuple[float, int]] = []
    last_change = start
    count = 0
    while time.monotonic() - start < LIVE_TIMEOUT_S:
        now_count = int(page.locator("#live-count").inner_text() or 0)
        now = time.monotonic()
        if now_count != count or not history:
            history.append((round(now - start, 1), now_count))
            count, last_change = now_count, now
        if count > 0 and now - last_change >= STILL_S:
            return count, history
        page.wait_for_timeout(250)
    raise AssertionError(f"the live count never settled within {LIVE_TIMEOUT_S:.0f} s: {history}; "
                         f"{page_text(page)}")


def _latency_summary(page: Page) -> str:
    values = sorted(page.evaluate("() => window.kneelineLatencies.slice()"))
    if not values:
        return "no frames answered"
    p50, p95 = (values[min(len(values) - 1, int(q * len(values)))] for q in (0.5, 0.95))
    return f"{len(values)} frames answered, latency p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {values[-1]:.0f} ms"


@pytest.mark.slow
def test_live_coaching_counts_squats(camera_page: Page, server: LiveServer) -> None:
    server.wait_jobs_idle()  # the pose model of a background job would starve the live one of CPU
    page = camera_page
    sign_up(page, "Carl Coach", "carl@example.org")
    page.goto("/coach/squat")
    page.click("#live-start")
    page.wait_for_function("() => document.getElementById('live-status').textContent.startsWith('Connected')",
                           timeout=20_000)
    count, history = _wait_count_settles(page)
    latency = _latency_summary(page)
    cues = page.locator("#live-cues").inner_text()
    print(f"live squat count {count} (history {history}); {latency}; last cues: {cues!r}")
    page.click("#live-finish")
    page.wait_for_function("() => document.getElementById('live-status').hasAttribute('data-saved')", timeout=15_000)
    status = page.locator("#live-status").inner_text()
    assert status.startswith("Set saved"), status
    saved = int(page.locator("#live-status").get_attribute("data-saved") or -1)
    assert count == SQUAT_REPS, (f"live coaching counted {count} squats in one pass of the video, expected "
                                 f"{SQUAT_REPS}; count history (s, count) {history}; {latency}")
    assert saved == count, f"the page showed {count} reps but the saved set has {saved}"
    page.reload()
    assert f"{count} reps" in page.locator("#recent").inner_text()
