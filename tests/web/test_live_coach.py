"""The live coaching socket with the real pose model on frames of the real squat video."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from sqlalchemy import select

from kneeline.store.models import CoachedSet
from tests.web.builders import intake_form

SQUAT_VIDEO = "opencap-squat-cam0/squats-with-arm-raise.mov"


def _jpeg_frames(path, step: int, width: int):  # type: ignore[no-untyped-def]
    """Every ``step``-th frame of the video as (time ms, JPEG bytes) at ``width`` px, upright."""
    import cv2

    from kneeline.io.video import iter_frames
    for i, frame in enumerate(iter_frames(path)):
        if i % step:
            continue
        image = frame.image
        scale = width / image.shape[1]
        small = cv2.resize(image, (width, round(image.shape[0] * scale)))
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 70])
        assert ok
        yield frame.time_s * 1000.0, buf.tobytes()


@pytest.mark.slow
def test_live_socket_counts_the_squats_and_saves_the_set(app, patient, shared_data) -> None:  # type: ignore[no-untyped-def]
    path = shared_data / SQUAT_VIDEO
    states = []
    with patient.client.websocket_connect("/coach/squat/ws", headers={"origin": "http://testserver"}) as ws:
        for t_ms, jpeg in _jpeg_frames(path, step=4, width=480):
            ws.send_bytes(struct.pack("<d", t_ms) + jpeg)
            msg = ws.receive_json()
            assert msg["type"] == "state" and msg["t"] == t_ms
            states.append(msg["state"])
        ws.send_text('{"type": "finish"}')
        saved = ws.receive_json()
    counts = [s["reps"] for s in states]
    assert counts[-1] == 6, f"counted {counts[-1]} squats live; the video has 6"
    assert np.all(np.diff(counts) >= 0)
    assert saved["type"] == "saved" and saved["count"] == 6
    with app.state.ctx.db.session() as s:
        row = s.scalars(select(CoachedSet)).one()
        assert row.exercise_id == "squat" and row.count == 6 and row.patient_id == patient.user_id
    assert "6 reps" in patient.client.get("/coach/squat").text


def test_sets_counted_today_prefill_the_log(app, patient) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    program = patient.client.get(f"/patients/{patient.user_id}/program").text
    assert 'href="/coach/bridge"' in program
    with app.state.ctx.db.session() as s:
        for count in (10, 8):
            s.add(CoachedSet(patient_id=patient.user_id, exercise_id="bridge", count=count, quality=80,
                             result={}))
    log = patient.client.get("/log").text
    assert "Counted by the camera today: 10 (form 80/100), 8 (form 80/100)" in log
    assert 'name="sets_bridge" min="0" max="20" value="2"' in log
    assert 'name="reps_bridge" min="0" max="500" value="8"' in log


def test_live_socket_reports_bad_frames_and_keeps_going(app, patient) -> None:  # type: ignore[no-untyped-def]
    with patient.client.websocket_connect("/coach/squat/ws", headers={"origin": "http://testserver"}) as ws:
        ws.send_bytes(struct.pack("<d", 10.0) + b"not a jpeg at all")
        msg = ws.receive_json()
        assert msg["type"] == "error" and "JPEG" in msg["message"]
        ws.send_bytes(b"x")
        assert ws.receive_json()["type"] == "error"
        ws.send_text('{"type": "finish"}')
        end = ws.receive_json()
        assert end["type"] == "error" and "not saved" in end["message"]


def test_a_set_with_nobody_in_view_is_not_saved_as_zero_reps(app, patient) -> None:  # type: ignore[no-untyped-def]
    """Blank grey frames: the pose model finds nobody; finishing says why and saves nothing."""
    import cv2

    blank = cv2.imencode(".jpg", np.full((240, 320, 3), 128, dtype=np.uint8))[1].tobytes()
    with patient.client.websocket_connect("/coach/squat/ws", headers={"origin": "http://testserver"}) as ws:
        for i in range(5):
            ws.send_bytes(struct.pack("<d", 100.0 * (i + 1)) + blank)
            assert ws.receive_json()["type"] == "state"
        ws.send_text('{"type": "finish"}')
        end = ws.receive_json()
    assert end["type"] == "error" and "Nobody was seen" in end["message"] and "not saved" in end["message"]
    with app.state.ctx.db.session() as s:
        assert s.scalars(select(CoachedSet)).first() is None


def test_the_live_page_shows_no_technical_figures() -> None:
    """Latency is measured for the benchmark only; patients never see it."""
    from importlib import resources

    root = resources.files("kneeline.web")
    page = root.joinpath("templates/coach.html").read_text(encoding="utf-8")
    script = root.joinpath("static/live.js").read_text(encoding="utf-8")
    assert "atency" not in page and " ms" not in page
    assert "latencyEl" not in script and '" ms"' not in script


def test_coach_page_for_unknown_exercise_is_404(patient) -> None:  # type: ignore[no-untyped-def]
    r = patient.client.get("/coach/moonwalk")
    assert r.status_code == 404 and "cannot coach" in r.text
