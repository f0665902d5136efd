"""Coaching a recorded set through the web app: upload, the real job, results, and the session log."""

from __future__ import annotations

import pytest

from kneeline.jobs.base import InlineJobs
from tests.web.builders import intake_form


@pytest.mark.slow
def test_uploaded_set_is_counted_and_offered_on_the_log(app, patient, squat_clip) -> None:  # type: ignore[no-untyped-def]
    ctx = app.state.ctx
    ctx.jobs = InlineJobs(ctx.db.engine.url.render_as_string(hide_password=False), ctx.data_dir)
    patient.post("/intake", intake_form())
    r = patient.client.post("/coach/squat/upload", data={"csrf_token": patient.csrf("/coach/squat"), "side": "auto"},
                            files={"video": ("my-squats.mp4", squat_clip.read_bytes(), "video/mp4")},
                            follow_redirects=False)
    assert r.status_code == 303
    page = patient.client.get(r.headers["location"]).text
    assert 'id="rep-count">4<' in page and "Squat" in page and 'id="annotated-video"' in page
    from kneeline.web.routes.program import coached_today
    with ctx.db.session() as s:
        counted = coached_today(s, patient.user_id)
    assert [c.count for c in counted["squat"]] == [4]


def test_coach_upload_refuses_a_non_video(app, patient) -> None:  # type: ignore[no-untyped-def]
    r = patient.client.post("/coach/bridge/upload", data={"csrf_token": patient.csrf("/coach/bridge")},
                            files={"video": ("set.mp4", b"plain text", "video/mp4")})
    assert r.status_code == 400 and "Nothing was stored" in r.text
    assert not list(app.state.ctx.jobs.submitted)
