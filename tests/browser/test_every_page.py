"""Every page of every role at 1280 px and 390 px: no serious or critical axe-core violation (WCAG 2.1 A/AA),
no sideways scrolling, tap targets at least 44 px on the phone."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests.browser.a11y import check_page, check_page_as_is
from tests.browser.harness import LiveServer
from tests.browser.helpers import PASSWORD, Journey, sign_up, wait_for_analysis

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ADMIN_EMAIL = "admin@clinic.example.org"


def _add_admin(server: LiveServer) -> None:
    """``kneeline add-admin`` on the server's data folder (the documented way to make one)."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from kneeline.cli import main; sys.exit(main())", "add-admin",
         ADMIN_EMAIL, "--data-dir", str(server.data_dir)],
        env={**os.environ, "KNEELINE_ADMIN_PASSWORD": PASSWORD}, capture_output=True, text=True, check=False)
    assert done.returncode == 0 or "already exists" in done.stderr + done.stdout, done.stderr


def _log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.click('form[action="/login"] button[type="submit"]')
    page.wait_for_load_state()


def _patient_paths(page: Page, journey: Journey) -> list[str]:
    pid, aid = journey.user_id, journey.analysis_id
    page.goto(f"/patients/{pid}/program")
    coach = page.locator('a[href^="/coach/"]').first
    coach_path = [coach.get_attribute("href") or ""] if coach.count() else []
    return ["/home", "/intake", "/tests", f"/analyses/{aid}", f"/analyses/{aid}/compare", f"/patients/{pid}/program",
            "/log", "/outcomes", f"/patients/{pid}/progress", "/account", "/account/access",
            f"/patients/{pid}/program/handout", "/exercises", "/exercises/clamshell", *coach_path]


def test_every_page_of_every_role(browser: Browser, server: LiveServer, squat_journey: Journey,
                                  new_person: Callable[[], Page]) -> None:
    problems: list[str] = []
    anonymous = new_person()
    for path in ("/", "/login", "/signup"):
        problems += check_page(anonymous, path)

    page = squat_journey.page
    assert wait_for_analysis(page, squat_journey.analysis_id) == "done"
    for path in _patient_paths(page, squat_journey):
        problems += check_page(page, path)

    physio = new_person()
    sign_up(physio, "Dr Axe Physio", "axe.physio@clinic.example.org", role="clinician")
    page.goto("/account")
    page.fill('#share-form input[name="email"]', "axe.physio@clinic.example.org")
    page.click('#share-form button[type="submit"]')
    page.wait_for_url("**/account")
    pid = squat_journey.user_id
    for path in ("/clinic", f"/clinic/patients/{pid}", f"/clinic/patients/{pid}/program",
                 f"/analyses/{squat_journey.analysis_id}", f"/patients/{pid}/progress", "/account"):
        problems += check_page(physio, path)

    _add_admin(server)
    admin = new_person()
    _log_in(admin, ADMIN_EMAIL)
    assert re.search(r"/admin$", admin.url), admin.url
    for path in ("/admin", "/account"):
        problems += check_page(admin, path)

    # the one-time links' pages: issued (admin, patient) and opened (signed out)
    admin.goto("/admin")
    admin.locator(f'form[action="/admin/users/{pid}/reset"] button').click()
    admin.wait_for_load_state()
    problems += [f"{p} (reset link issued)" for p in check_page_as_is(admin)]
    reset = _issued_path(admin)
    page.goto("/account")
    page.click('#invite-form button[type="submit"]')
    page.wait_for_load_state()
    invite = _issued_path(page)
    for path in (reset, invite):
        problems += check_page(anonymous, path)
    assert not problems, "\n".join(problems)


def _issued_path(page: Page) -> str:
    link = page.locator("#issued-link").input_value()
    found = re.search(r"https?://[^/]+(/.+)$", link)
    assert found, link
    return found.group(1)


def test_the_checks_find_what_they_look_for(browser: Browser, server: LiveServer,
                                            new_person: Callable[[], Page]) -> None:
    """The harness itself: an unlabelled field, a page wider than the phone and a small button are found."""
    page = new_person()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/login")
    page.evaluate("""() => { const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<input type="number" name="bare"><div id="wide">wide</div>'
                                + '<button id="tiny">tiny</button>');
        document.getElementById('wide').style.width = '900px';  // the CSP allows no style attributes
        Object.assign(document.getElementById('tiny').style, {minHeight: '0', padding: '0', height: '20px'}); }""")
    from tests.browser.a11y import axe_violations, sideways_scroll, small_targets

    assert any(v["id"] == "label" for v in axe_violations(page))
    assert sideways_scroll(page) > 0
    assert any("tiny" in t for t in small_targets(page))
