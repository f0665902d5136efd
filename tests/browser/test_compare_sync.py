"""The compare page plays both annotated videos rep by rep in sync (``static/compare.js`` in Chromium)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.browser.harness import LiveServer
from tests.browser.helpers import sign_up
from tests.fixtures.analysis_outputs import real_squat  # noqa: F401  (session fixture)

pytestmark = pytest.mark.browser


def _store(server: LiveServer, patient_id: int, folder: Path, webm: Path, shift_s: float) -> int:
    """An analysis of the real clip in the server's database, its reps shifted by ``shift_s`` (a later take)."""
    from kneeline.store.db import database_url, open_database
    from kneeline.store.files import FileStore
    from kneeline.store.models import Analysis

    result = json.loads((folder / "result.json").read_text())
    for rep in result["reps"]:
        for key in ("start_s", "bottom_s", "end_s"):
            rep[key] = round(rep[key] + shift_s, 3)
    db = open_database(database_url(server.data_dir))
    try:
        with db.session() as s:
            row = Analysis(patient_id=patient_id, kind="test", test="squat", video_sha256="0" * 64,
                           video_name="squats.mp4", video_bytes=1, status="done", result=result,
                           files=["result.json", "annotated.webm"])
            s.add(row)
            s.flush()
            analysis_id = row.id
    finally:
        db.dispose()
    target = FileStore(server.data_dir).analysis_dir(analysis_id)
    target.mkdir(parents=True)
    (target / "result.json").write_text(json.dumps(result))
    shutil.copy(webm, target / "annotated.webm")
    return analysis_id


def test_two_videos_play_matching_reps_together(browser, server: LiveServer, real_squat: Path,  # type: ignore[no-untyped-def]  # noqa: F811
                                                tmp_path: Path) -> None:
    from kneeline.jobs.playback import write_webm

    webm = write_webm(real_squat / "annotated.mp4", tmp_path / "annotated.webm")
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    user_id = sign_up(page, "Sync Tester", "sync@example.org")
    first = _store(server, user_id, real_squat, webm, 0.0)
    second = _store(server, user_id, real_squat, webm, -0.3)  # the same reps 0.3 s earlier in "the later" video
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/analyses/{second}/compare?with={first}")
    assert page.locator("#changes").is_visible()
    reps = json.loads(page.locator("#sync").get_attribute("data-reps") or "{}")
    page.wait_for_function("() => document.getElementById('video-before').readyState >= 1 && "
                           "document.getElementById('video-after').readyState >= 1")
    page.click('.sync-rep[data-pair="1"]')
    page.wait_for_function("() => !document.getElementById('video-before').paused", timeout=10_000)
    page.wait_for_timeout(600)
    state = page.evaluate("""() => { const a = document.getElementById('video-before'),
        b = document.getElementById('video-after');
        return {a: a.currentTime, b: b.currentTime, rate: b.playbackRate}; }""")
    (a0, a1), (b0, b1) = reps["before"][1], reps["after"][1]
    assert a0 <= state["a"] <= a1 and b0 <= state["b"] <= b1, state
    assert state["rate"] == pytest.approx((b1 - b0) / (a1 - a0), rel=1e-3)
    assert abs((state["a"] - a0) - (state["b"] - b0)) < 0.35  # both reps at the same point
    assert "Rep 2 of 4" in (page.locator("#sync-status").text_content() or "")
    page.wait_for_function("() => document.getElementById('video-before').paused", timeout=15_000)  # stops at rep end
    assert not errors, errors
    context.close()
