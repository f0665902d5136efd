"""Steps the browser tests share: sign up, the intake, an upload, waiting for an analysis."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

SQUAT_VIDEO = Path("opencap-squat-cam0") / "squats-with-arm-raise.mov"
"""The real squat video, under the shared data folder."""
SQUAT_REPS = 6
"""Squats in the whole squat video (see ../shared/data/README.md)."""
PASSWORD = "correct horse battery staple"
ANALYSIS_TIMEOUT_S = 240.0
"""Longest wait for one analysis job (the real pose model on 2 shared cores takes 30-90 s)."""


@dataclass
class Journey:
    """A signed-in patient's browser and what they created."""

    context: BrowserContext
    page: Page
    user_id: int
    analysis_id: int
    name: str
    email: str


def user_id_of(page: Page) -> int:
    """The signed-in patient's id, read from the navigation's program link."""
    href = page.locator('nav a[href$="/program"]').first.get_attribute("href") or ""
    found = re.search(r"/patients/(\d+)/program", href)
    assert found, f"no program link in the navigation of {page.url}"
    return int(found.group(1))


def sign_up(page: Page, name: str, email: str, role: str = "patient") -> int:
    """Create an account through the sign-up form; return the user id (0 for a clinician)."""
    page.goto("/signup")
    page.fill('input[name="name"]', name)
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.check(f'input[name="role"][value="{role}"]')
    page.click('form[action="/signup"] button[type="submit"]')
    expected = "/home" if role == "patient" else "/clinic"
    page.wait_for_url(f"**{expected}")
    return user_id_of(page) if role == "patient" else 0


def fill_intake(page: Page, *, red_flag: str | None = None) -> None:
    """Answer the intake (anterior knee pain, no injury); every red flag "no" except ``red_flag``."""
    page.goto("/intake")
    form = page.locator("#intake-form")
    form.locator('input[name="age"]').fill("32")
    form.locator('select[name="sex"]').select_option("female")
    form.locator('select[name="knee"]').select_option("right")
    form.locator('input[name="pain_locations"][value="front"]').check()
    for aggravator in ("stairs", "squatting"):
        form.locator(f'input[name="aggravating"][value="{aggravator}"]').check()
    form.locator('input[name="pain_now"]').fill("3")
    form.locator('input[name="pain_worst_week"]').fill("5")
    form.locator('input[name="duration_weeks"]').fill("12")
    form.locator('input[name="recent_injury"][value="no"]').check()
    form.locator('input[name="pregnancy"][value="no"]').check()
    flags = form.locator('input[name^="rf_"][value="no"]')
    assert flags.count() >= 10, f"the intake shows only {flags.count()} red-flag questions"
    for i in range(flags.count()):
        flags.nth(i).check()
    if red_flag is not None:
        form.locator(f'input[name="rf_{red_flag}"][value="yes"]').check()
    form.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r".*/patients/\d+/program$"))


def upload_video(page: Page, video: Path, *, test: str, side: str = "auto") -> int:
    """Submit ``video`` through the /tests upload form; return the new analysis id."""
    page.goto("/tests")
    form = page.locator("#upload-form")
    form.locator(f'input[name="test"][value="{test}"]').check()
    form.locator('select[name="side"]').select_option(side)
    page.set_input_files("#video-file", str(video))
    form.locator("#upload-submit").click()
    page.wait_for_url(re.compile(r".*/analyses/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def wait_for_analysis(page: Page, analysis_id: int, timeout_s: float = ANALYSIS_TIMEOUT_S) -> str:
    """Open the analysis page and wait until its own polling reloads it as done or failed."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    if not page.url.endswith(f"/analyses/{analysis_id}"):
        page.goto(f"/analyses/{analysis_id}")
    job = page.locator("#job")
    deadline = time.monotonic() + timeout_s
    while True:
        status = job.get_attribute("data-status") or ""
        if status in ("done", "failed"):
            return status
        if time.monotonic() > deadline:
            stage = page.locator("#job-stage").text_content() if page.locator("#job-stage").count() else "?"
            raise AssertionError(f"analysis {analysis_id} still {status!r} ({stage}) after {timeout_s:.0f} s")
        # status.js reloads the page when the job ends; wait for that (or poll again after a while)
        try:
            page.wait_for_function(
                "id => { const j = document.getElementById('job');"
                " return j && ['done', 'failed'].includes(j.getAttribute('data-status')); }",
                arg=analysis_id, timeout=15_000)
        except PlaywrightError as exc:  # a timeout, or the page reloaded in between: look again
            if not isinstance(exc, PlaywrightTimeout) and "navigat" not in str(exc).lower():
                raise


def page_text(page: Page, limit: int = 1500) -> str:
    """The visible text of the page's main part (for assertion messages)."""
    main = page.locator("main")
    text = main.inner_text() if main.count() else page.content()
    return f"[{page.url}] {text[:limit]}"
