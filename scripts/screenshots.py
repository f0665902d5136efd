"""Screenshots of the main pages for docs/screenshots/, desktop (1280 px) and phone (390 px).

Starts a throw-away ``kneeline serve`` (the browser tests' harness), signs a patient up, answers the
intake, analyses the real squat video from ``../shared/data`` (the pose model runs: about a minute),
logs a session, shares the record with a clinician and photographs the pages each of them sees, with
Debian's Chromium through Playwright.  Run from the repository root:
``.venv/bin/python scripts/screenshots.py [OUT_FOLDER]``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.harness import LiveServer, chromium_path, launch  # noqa: E402
from tests.browser.helpers import SQUAT_VIDEO, fill_intake, sign_up, upload_video, wait_for_analysis  # noqa: E402
from tests.conftest import shared_data_path  # noqa: E402

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _shoot(page, out: Path, name: str, path: str, sizes: tuple[str, ...] = ("desktop", "phone")) -> None:  # type: ignore[no-untyped-def]
    for size in sizes:
        page.set_viewport_size(SIZES[size])
        page.goto(path)
        page.screenshot(path=str(out / f"{name}-{size}.png"))
        print(f"{name}-{size}.png")


def main(out: Path) -> int:
    """Write the screenshots into ``out``."""
    from playwright.sync_api import sync_playwright

    video = shared_data_path() / SQUAT_VIDEO
    if not video.is_file():
        print(f"{video} is absent; the results page needs a real video", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        server = LiveServer(Path(tmp) / "data", Path(tmp) / "server.log")
        try:
            server.wait_ready()
            browser = launch(p, chromium_path())
            patient = browser.new_context(base_url=server.url).new_page()
            pid = sign_up(patient, "Alex Example", "alex@example.org")
            fill_intake(patient)
            aid = upload_video(patient, video, test="squat")
            assert wait_for_analysis(patient, aid, 300) == "done"
            patient.goto("/log")
            patient.locator('#log-form input[name="pain_before"][value="2"]').check()
            blocks = patient.locator("#log-form fieldset.exercise-log")
            for i in range(blocks.count()):
                blocks.nth(i).locator('input[name^="pain_during_"][value="3"]').check()
            patient.locator('#log-form button[type="submit"]').click()
            patient.wait_for_url("**/log?saved=1")
            _shoot(patient, out, "home", "/home")
            _shoot(patient, out, "analysis", f"/analyses/{aid}")
            _shoot(patient, out, "program", f"/patients/{pid}/program")
            _shoot(patient, out, "log", "/log?saved=1")
            _shoot(patient, out, "progress", f"/patients/{pid}/progress")
            physio = browser.new_context(base_url=server.url).new_page()
            sign_up(physio, "Dr Sam Physio", "sam@clinic.example.org", role="clinician")
            patient.goto("/account")
            patient.fill('#share-form input[name="email"]', "sam@clinic.example.org")
            patient.click('#share-form button[type="submit"]')
            patient.wait_for_url("**/account")
            _shoot(physio, out, "clinic-patient", f"/clinic/patients/{pid}", ("desktop",))
            _shoot(physio, out, "clinic-program-editor", f"/clinic/patients/{pid}/program")
            browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"))
