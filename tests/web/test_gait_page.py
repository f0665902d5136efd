"""The web app offers the gait test ("Walking/running") with its recording instructions, queues it, and shows
the steps it found in a table (plain words, one card per step on a phone)."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from benchmarks.gait_synth import build_walk, film_walk
from kneeline.pipeline import analyze_pose, analyze_video
from kneeline.report.result import AnalysisResult
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


# ---------------------------------------------------------------------------- the steps table

def _stored(app, patient_id: int, result: AnalysisResult) -> int:  # type: ignore[no-untyped-def]
    """A finished gait analysis holding ``result``, as the job runner stores it."""
    with app.state.ctx.db.session() as s:
        row = Analysis(patient_id=patient_id, test="gait", video_sha256="0" * 64, video_name="walk.mp4",
                       video_bytes=1, status="done", result=result.model_dump(mode="json"), files=[])
        s.add(row)
        s.flush()
        return row.id


def _steps_table(html: str) -> tuple[list[str], list[list[str]]]:
    """Headers and cell texts of the page's steps table."""
    table = html[html.index('<table id="steps"'):]
    table = table[:table.index("</table>")]
    headers = [htmllib.unescape(h) for h in re.findall(r'<th scope="col">(.*?)</th>', table)]
    rows = [[htmllib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
            for r in re.findall(r"<tr>(<td.*?)</tr>", table)]
    return headers, rows


@pytest.fixture(scope="module")
def mocap_walk_result(shared_data: Path) -> AnalysisResult:
    """16 steps built from the motion-capture walk ``walking1``, filmed straight ahead, default settings."""
    return analyze_pose(film_walk(build_walk(shared_data)), "gait").result


def test_steps_table_gives_each_step_in_plain_words(app, patient, mocap_walk_result) -> None:  # type: ignore[no-untyped-def]
    result = mocap_walk_result
    html = patient.client.get(f"/analyses/{_stored(app, patient.user_id, result)}").text
    headers, rows = _steps_table(html)
    assert headers[:4] == ["Step", "Foot", "Foot down at (s)", "Foot off at (s)"]
    assert headers[4:] == ["Hip drop", "Knee angle (inward movement)", "Upper-body lean"]
    assert len(rows) == len(result.steps) == 17
    by_index = {s.index: s for s in result.steps}
    for row in rows:
        step = by_index[int(row[0])]
        assert row[1] == step.side.capitalize()
        if step.contact_s is None or step.toe_off_s is None:  # the walk starts and ends mid-stance
            assert row[4:] == ["not measured: only part of this step is in the video"] * 3
            assert "already down at the start" in row[2] or "still down at the end" in row[3]
            continue
        assert row[2] == f"{step.contact_s:.2f}" and row[3] == f"{step.toe_off_s:.2f}"
        assert step.pelvic_drop_deg is not None and row[4] == f"{step.pelvic_drop_deg:.1f}°".replace("-0.0", "0.0")
    assert not any("-0.0" in c or " deg" in c for row in rows for c in row)
    assert "Your steps: 17 found, 14 with the foot seen coming down and lifting again" in html
    # phone layout: every cell carries its column's name
    assert html.count('data-label="Foot down at (s)"') == 17
    assert "half-way through the step" in html


def test_other_tests_have_no_steps_table(app, patient) -> None:  # type: ignore[no-untyped-def]
    from tests.report.test_plain import _oblique_squat

    with app.state.ctx.db.session() as s:
        row = Analysis(patient_id=patient.user_id, test="squat", video_sha256="0" * 64, video_name="v.mp4",
                       video_bytes=1, status="done", result=_oblique_squat().model_dump(mode="json"), files=[])
        s.add(row)
        s.flush()
        aid = row.id
    assert 'id="steps"' not in patient.client.get(f"/analyses/{aid}").text


@pytest.mark.slow
def test_steps_table_of_a_real_walk_says_why_values_are_missing(app, patient, shared_data) -> None:  # type: ignore[no-untyped-def]
    """The real OpenCap walk (cam1, about 15 deg off frontal): every value is withheld, each with its reason."""
    result = analyze_video(shared_data / "opencap-walk" / "cam1" / "walk.mov", "gait").result
    html = patient.client.get(f"/analyses/{_stored(app, patient.user_id, result)}").text
    _, rows = _steps_table(html)
    assert [r[1] for r in rows] == [s.side.capitalize() for s in result.steps]
    complete = [(r, s) for r, s in zip(rows, result.steps, strict=True) if s.stance_s is not None]
    assert len(complete) == 3
    for row, step in complete:
        assert step.contact_s is not None and row[2] == f"{step.contact_s:.2f}"
        assert all(c.startswith("not measured: ") for c in row[4:])
        assert any("turned" in c or "view" in c for c in row[4:]), row
        assert "°" in row[5] or "view" in row[5]  # the reason gives the turn in degrees
    assert not any(" deg" in c for row in rows for c in row)
