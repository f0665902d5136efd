"""Fixtures of the browser tests: one real ``kneeline serve`` and Debian's Chromium through Playwright.

The server runs as a subprocess on a free 127.0.0.1 port with its own temporary data folder and real
background jobs (the pose model runs).  Chromium runs headless with a fake camera: the default
synthetic pattern, or (``camera_browser``) a YUV4MPEG2 file made from the real squat video.

Without ``/usr/bin/chromium`` (or ``$KNEELINE_CHROMIUM``) the tests are skipped, except on CI
(``CI=true``), where that is a failure: CI must run them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.harness import CHROMIUM_ENV, LiveServer, chromium_path, launch
from tests.browser.helpers import SQUAT_VIDEO, Journey, fill_intake, sign_up, upload_video
from tests.browser.y4m import write_y4m
from tests.conftest import shared_data_path

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright


def on_ci() -> bool:
    """True when ``CI`` says the tests run on continuous integration."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """Chromium's path; skips (or fails on CI) when it is absent."""
    path = chromium_path()
    if not path.is_file():
        reason = (f"Chromium not found at {path} (apt-get install chromium, or set {CHROMIUM_ENV}); "
                  "the browser tests drive the system Chromium, not a Playwright download")
        if on_ci():
            pytest.fail(f"CI=true but {reason}: CI must run the browser tests", pytrace=False)
        pytest.skip(reason)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "the playwright Python package is not installed (pip install -e '.[dev]')"
        if on_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def squat_video() -> Path:
    """The real squat video (six squats); skips when the shared data folder lacks it."""
    path = shared_data_path() / SQUAT_VIDEO
    if not path.is_file():
        pytest.skip(f"real video {path} is absent (check out ../shared/data next to the repository "
                    "or set KNEELINE_DATA)")
    return path


# ---- the server --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, chromium_executable: Path) -> Iterator[LiveServer]:
    """One real ``kneeline serve`` for the whole browser session (temporary data folder, real jobs)."""
    root = tmp_path_factory.mktemp("kneeline-server")
    live = LiveServer(root / "data", root / "server.log")
    try:
        live.wait_ready()
        yield live
    finally:
        live.stop()


# ---- Chromium ------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_session(chromium_executable: Path) -> Iterator[Playwright]:
    """The Playwright driver (one per test session)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright, chromium_executable: Path) -> Iterator[Browser]:
    """Chromium with Chromium's own fake camera pattern."""
    b = launch(playwright_session, chromium_executable)
    yield b
    b.close()


@pytest.fixture(scope="session")
def squat_y4m(tmp_path_factory: pytest.TempPathFactory, squat_video: Path) -> Path:
    """The squat video as a fake-camera file: one pass at 30 fps, 360x640, then 6 s standing still."""
    return write_y4m(squat_video, tmp_path_factory.mktemp("camera") / "squat.y4m", hold_end_s=6.0)


@pytest.fixture(scope="session")
def camera_browser(playwright_session: Playwright, chromium_executable: Path, squat_y4m: Path) -> Iterator[Browser]:
    """Chromium whose camera plays the squat video (looping)."""
    b = launch(playwright_session, chromium_executable, f"--use-file-for-fake-video-capture={squat_y4m}")
    yield b
    b.close()


# ---- a patient with the squat video uploaded, shared by the journey and access tests -----------------


@pytest.fixture(scope="session")
def squat_journey(browser: Browser, server: LiveServer, squat_video: Path) -> Iterator[Journey]:
    """Patient A: signed up, intake without red flags, the squat video uploaded (job queued or done)."""
    context = browser.new_context(base_url=server.url, accept_downloads=True)
    page = context.new_page()
    user_id = sign_up(page, "Alice Squatter", "alice@example.org")
    fill_intake(page)
    program_url = page.url
    assert program_url.endswith(f"/patients/{user_id}/program"), program_url
    analysis_id = upload_video(page, squat_video, test="squat")
    yield Journey(context=context, page=page, user_id=user_id, analysis_id=analysis_id, name="Alice Squatter",
                  email="alice@example.org")
    context.close()


@pytest.fixture
def new_person(browser: Browser, server: LiveServer) -> Iterator[Callable[[], Page]]:
    """Open a fresh browser context (one signed-in person) on the server; all are closed after the test."""
    opened: list[BrowserContext] = []

    def open_page() -> Page:
        context = browser.new_context(base_url=server.url)
        opened.append(context)
        return context.new_page()

    yield open_page
    for context in opened:
        context.close()
