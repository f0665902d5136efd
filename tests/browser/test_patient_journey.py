"""A patient in Chromium: the whole journey on the real squat video, the red-flag path, a bad upload."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.harness import LiveServer
from tests.browser.helpers import SQUAT_REPS, Journey, fill_intake, page_text, sign_up, wait_for_analysis

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


def _video_plays(page: Page) -> dict[str, object]:
    """Start the annotated video (muted) and report whether Chromium decoded and played it."""
    return page.evaluate("""async () => {
        const v = document.getElementById('annotated-video');
        v.muted = true;
        if (v.readyState < 1) {
            await new Promise((ok) => { v.addEventListener('loadedmetadata', ok, { once: true });
                                        v.addEventListener('error', ok, { once: true });
                                        setTimeout(ok, 10000); });
        }
        try { await v.play(); } catch (e) { return { played: false, why: String(e), error: v.error && v.error.code }; }
        await new Promise((ok) => setTimeout(ok, 800));
        const out = { played: true, readyState: v.readyState, duration: v.duration, currentTime: v.currentTime,
                      width: v.videoWidth, height: v.videoHeight, error: v.error && v.error.code };
        v.pause();
        return out;
    }""")


def _image_loaded(page: Page, selector: str) -> bool:
    return bool(page.locator(selector).evaluate(
        "img => img.complete ? img.naturalWidth > 0 : new Promise((ok) => {"
        " img.addEventListener('load', () => ok(img.naturalWidth > 0));"
        " img.addEventListener('error', () => ok(false)); })"))


def _check_results(page: Page) -> None:
    assert page.locator("#rep-count").inner_text().strip() == str(SQUAT_REPS)
    assert page.locator("#reps tbody tr").count() == SQUAT_REPS
    assert page.locator("#summary tbody tr").count() > 0, "the summary table is empty"
    video = page.locator("#annotated-video")
    assert video.count() == 1, "no annotated video on the results page (annotated.webm missing?)"
    played = _video_plays(page)
    assert played.get("played") and played.get("error") is None, f"the annotated video did not play: {played}"
    assert played["readyState"] >= 2 and played["duration"] > 0 and played["currentTime"] > 0, played  # type: ignore[operator]
    assert _image_loaded(page, "img.plot"), "the plot image did not load"


def _log_session(page: Page) -> None:
    """The light log: one tap for the pain before, one per exercise; the next doses show at the top."""
    page.goto("/log")
    form = page.locator("#log-form")
    assert form.count() == 1, f"no session form on /log although a program exists: {page_text(page)}"
    form.locator('input[name="pain_before"][value="3"]').check()
    blocks = form.locator("fieldset.exercise-log")
    assert blocks.count() > 0
    for i in range(blocks.count()):
        blocks.nth(i).locator('input[name^="pain_during_"][value="2"]').check()
    form.locator('button[type="submit"]').click()
    page.wait_for_url("**/log?saved=1")
    assert page.locator("#saved").is_visible()
    assert page.locator("#next-doses li").count() == blocks.count(), page_text(page)
    page.locator('#hour-form input[name="pain_after_1h"][value="3"]').check()
    page.locator('#hour-form button[type="submit"]').click()
    page.wait_for_url("**/log?saved=1")
    assert page.locator("#hour-form").count() == 0


def _fill_questionnaires(page: Page) -> None:
    page.goto("/outcomes")
    page.fill('input[name="nprs_now"]', "3")
    page.fill('input[name="nprs_worst_week"]', "5")
    page.locator("details summary").first.click()
    selects = page.locator('select[name^="akps_"], select[name^="koos_"]')
    assert selects.count() > 0
    for i in range(selects.count()):
        select = selects.nth(i)
        values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
        select.select_option(values[len(values) // 2])
    page.locator('form[action="/outcomes"] button[type="submit"]').click()
    page.wait_for_url(re.compile(r".*/patients/\d+/progress$"))


@pytest.mark.slow
def test_patient_journey(squat_journey: Journey, server: LiveServer, tmp_path: Path) -> None:
    page = squat_journey.page
    pid = squat_journey.user_id

    # the program made from the intake
    page.goto(f"/patients/{pid}/program")
    assert page.locator("#exercises li.exercise").count() > 0
    assert page.locator("#referral").count() == 0

    # the uploaded squat video, analysed by the real pose model in the server's job worker
    status = wait_for_analysis(page, squat_journey.analysis_id)
    assert status == "done", f"the analysis failed: {page.locator('#job-error').inner_text()}"
    _check_results(page)

    _log_session(page)
    page.goto(f"/patients/{pid}/progress")
    assert page.locator("#pain img.chart").count() >= 1, "no pain chart after logging a session"
    assert page.locator("#movement img.chart").count() >= 1, "no movement-test chart after a finished analysis"

    _fill_questionnaires(page)
    assert page.locator("#questionnaires img.chart").count() >= 1, "no questionnaire chart after saving them"
    page.goto("/outcomes")
    akps = page.locator("table tbody tr td:nth-child(3)").all_inner_texts()
    assert any(re.fullmatch(r"\d+", a.strip()) for a in akps), f"no AKPS score in the questionnaire history: {akps}"

    page.goto("/account")
    with page.expect_download() as info:
        page.click("#export-link")
    archive = tmp_path / "export.zip"
    info.value.save_as(archive)
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        data_json = [n for n in names if n.rsplit("/", 1)[-1] == "data.json"]
        assert data_json, f"no data.json in the export: {names}"
        data = json.loads(zf.read(data_json[0]))
    assert squat_journey.email in json.dumps(data)


def test_red_flag_path(browser: Browser, server: LiveServer) -> None:
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    try:
        sign_up(page, "Rita Redflag", "rita@example.org")
        fill_intake(page, red_flag="locking")
        assert page.locator("#referral").is_visible()
        assert page.locator("#exercises").count() == 0
        assert page.locator("#referral li").count() >= 1
        page.goto("/log")
        assert page.locator("#log-form").count() == 0
        assert "no exercise program" in page.locator("main").inner_text()
    finally:
        context.close()


def test_fake_video_upload_refused(browser: Browser, server: LiveServer, tmp_path: Path) -> None:
    fake = tmp_path / "fake.mp4"
    fake.write_text("this is not a video, only text pretending to be one\n" * 20)
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    try:
        user_id = sign_up(page, "Felix Fake", "felix@example.org")
        blobs_before = server.blobs()
        page.goto("/tests")
        page.check('input[name="test"][value="squat"]')
        page.set_input_files("#video-file", str(fake))
        with page.expect_response("**/tests/upload") as answer:
            page.click("#upload-submit")
        assert answer.value.status == 400
        message = page.locator(".error-message").inner_text()
        assert "cannot be used" in page.locator("h1").inner_text()
        assert "Nothing was stored" in message
        assert server.query("SELECT COUNT(*) FROM analyses WHERE patient_id = ?", user_id)[0][0] == 0
        assert server.blobs() == blobs_before
        tmp = server.data_dir / "tmp"
        assert not tmp.is_dir() or not any(p.is_file() for p in tmp.rglob("*")), "the upload was left in tmp/"
    finally:
        context.close()
