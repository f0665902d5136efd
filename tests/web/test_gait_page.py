"""The web app offers the gait test ("Walking/running") with its recording instructions and queues it."""

from __future__ import annotations

from sqlalchemy import select

from kneeline.store.models import Analysis


def test_tests_page_offers_walking_running_with_instructions(app, patient) -> None:  # type: ignore[no-untyped-def]
    page = patient.client.get("/tests").text
    assert "Walking/running" in page
    assert 'data-test="gait"' in page
    assert "Walk or run towards the phone" in page and "at least 18 steps" in page
    assert "treadmill" in page and "side-on" in page


def test_upload_for_the_gait_test_queues_a_gait_analysis(app, patient, make_video) -> None:  # type: ignore[no-untyped-def]
    video = make_video("walk.mp4")
    r = patient.client.post("/tests/upload", data={"csrf_token": patient.csrf("/tests"), "test": "gait",
                                                   "side": "auto"},
                            files={"video": ("walk.mp4", video.read_bytes(), "video/mp4")}, follow_redirects=False)
    assert r.status_code == 303
    assert app.state.ctx.jobs.submitted, "the job was not submitted"
    with app.state.ctx.db.session() as s:
        assert s.scalars(select(Analysis.test)).all()[-1] == "gait"
