"""The setup assistant's socket (real BlazePose on the real squat video; the keypoint replay hook) and
the "record anyway" warning stored with an upload or a live set."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from kneeline.capture.setup import CHECK_IDS
from kneeline.io.keypoints_csv import save_keypoints_csv
from kneeline.store.models import Analysis, CoachedSet
from kneeline.web.app import create_app
from tests.fixtures.setup_pose import standing_person
from tests.web.conftest import make_settings, sign_up
from tests.web.test_live_coach import SQUAT_VIDEO, _jpeg_frames

ORIGIN = {"origin": "http://testserver"}


def _textured_jpeg(width: int = 360, height: int = 640, seed: int = 0) -> bytes:
    """A well-lit, contrasty picture (grey noise around mid-grey): light that meets the check."""
    import cv2

    rng = np.random.default_rng(seed)
    image = np.clip(rng.normal(128, 45, (height, width, 3)), 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 70])
    assert ok
    return buf.tobytes()


def test_real_oblique_video_asks_to_turn(patient, shared_data) -> None:  # type: ignore[no-untyped-def]
    """The first 2 s of the squat video (standing, ~19 deg off frontal) through the real model."""
    answers = []
    with patient.client.websocket_connect("/setup/ws?view=frontal", headers=ORIGIN) as ws:
        for t_ms, jpeg in _jpeg_frames(shared_data / SQUAT_VIDEO, step=5, width=360):
            if t_ms > 2000:
                break
            ws.send_bytes(struct.pack("<d", t_ms) + jpeg)
            msg = ws.receive_json()
            assert msg["type"] == "setup" and msg["t"] == t_ms
            answers.append(msg["setup"])
    last = {c["id"]: c for c in answers[-1]["checks"]}
    assert list(last) == list(CHECK_IDS)
    assert all(c["message"] for c in last.values())
    facing = [next(c for c in a["checks"] if c["id"] == "facing") for a in answers]
    assert not any(c["ok"] is True for c in facing), facing
    assert last["facing"]["ok"] is False and last["facing"]["message"].startswith("Turn"), last["facing"]
    assert last["people"]["ok"] is True, last["people"]
    assert not answers[-1]["ready"]


@pytest.fixture
def replay_app(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An app whose setup socket replays a synthetic frontal standing person (the test hook)."""
    keypoints = save_keypoints_csv(standing_person(n_frames=24), tmp_path / "frontal.csv")
    app = create_app(make_settings(tmp_path / "data", live_keypoints=str(keypoints)), start_jobs=False)
    with TestClient(app):
        yield app


def test_replayed_frontal_person_meets_every_check_and_becomes_ready(replay_app) -> None:  # type: ignore[no-untyped-def]
    patient = sign_up(replay_app, "Green Path", "green@example.org")
    jpeg = _textured_jpeg()
    answers = []
    with patient.client.websocket_connect("/setup/ws?view=frontal", headers=ORIGIN) as ws:
        for i in range(40):  # 3.3 s at 12 frames/s
            ws.send_bytes(struct.pack("<d", 1000.0 + i * 1000 / 12) + jpeg)
            answers.append(ws.receive_json()["setup"])
    assert answers[-1]["all_ok"], answers[-1]
    ready_at = next(i for i, a in enumerate(answers) if a["ready"])
    first_ok = next(i for i, a in enumerate(answers) if a["all_ok"])
    assert (ready_at - first_ok) / 12 == pytest.approx(answers[-1]["need_steady_s"], abs=0.1)
    assert answers[-1]["countdown_s"] > 0


def test_sagittal_exercise_with_a_frontal_person_is_asked_to_turn_side_on(replay_app) -> None:  # type: ignore[no-untyped-def]
    patient = sign_up(replay_app, "Side Ways", "side@example.org")
    with patient.client.websocket_connect("/setup/ws?view=sagittal", headers=ORIGIN) as ws:
        for i in range(6):
            ws.send_bytes(struct.pack("<d", i * 83.0) + _textured_jpeg())
            setup = ws.receive_json()["setup"]
    facing = next(c for c in setup["checks"] if c["id"] == "facing")
    assert facing["ok"] is False and "side-on" in facing["message"]


def test_setup_socket_refuses_bad_input(patient) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WebSocketDisconnect) as info, \
            patient.client.websocket_connect("/setup/ws?view=upside-down", headers=ORIGIN) as ws:
        ws.receive_json()
    assert info.value.code == 1008
    with patient.client.websocket_connect("/setup/ws", headers=ORIGIN) as ws:
        ws.send_bytes(struct.pack("<d", 10.0) + b"not a jpeg")
        assert ws.receive_json()["type"] == "error"
        ws.send_bytes(struct.pack("<d", float("nan")) + _textured_jpeg())
        assert "not a number" in ws.receive_json()["message"]
        ws.send_text('{"type": "finish"}')
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1003


@pytest.mark.parametrize(("sent", "flagged"), [("facing,light", True), ("unchecked", True), ("ok", False),
                                               ("", False), ("<script>", False)])
def test_upload_carries_the_record_anyway_warning(app, patient, make_video, sent: str, flagged: bool) -> None:  # type: ignore[no-untyped-def]
    video = make_video("clip.mp4")
    r = patient.client.post("/tests/upload", data={"csrf_token": patient.csrf("/tests"), "test": "squat",
                                                   "side": "auto", "setup_unmet": sent},
                            files={"video": ("recording.webm", video.read_bytes(), "video/webm")},
                            follow_redirects=False)
    assert r.status_code == 303
    with app.state.ctx.db.session() as s:
        warning = s.scalars(select(Analysis.setup_warning)).one()
    if flagged:
        assert warning is not None and warning.startswith("Recorded before the camera setup check was met")
        assert ("not facing" in warning) == ("facing" in sent)
    else:
        assert warning is None


def test_live_set_started_anyway_carries_the_warning(app, patient, shared_data) -> None:  # type: ignore[no-untyped-def]
    # A person must be in view: a set in which nobody was seen is not saved at all (issue 14).
    frames = _jpeg_frames(shared_data / SQUAT_VIDEO, step=8, width=360)
    with patient.client.websocket_connect("/coach/squat/ws?setup=facing", headers=ORIGIN) as ws:
        for _ in range(10):
            t_ms, jpeg = next(frames)
            ws.send_bytes(struct.pack("<d", t_ms) + jpeg)
            assert ws.receive_json()["type"] == "state"
        ws.send_text('{"type": "finish"}')
        assert ws.receive_json()["type"] == "saved"
    with app.state.ctx.db.session() as s:
        row = s.scalars(select(CoachedSet)).one()
    assert any("not facing the phone" in m for m in row.result["messages"])
    assert "(camera setup not met)" in patient.client.get("/coach/squat").text


def test_setup_socket_counts_toward_the_live_socket_cap(tmp_path: Path) -> None:
    """Each setup socket holds a pose model, so it shares ``web.max_live_sockets`` with live coaching."""
    app = create_app(make_settings(tmp_path / "data", max_live_sockets=1), start_jobs=False)
    with TestClient(app):
        patient = sign_up(app, "Cap Tain", "cap@example.org")
        with patient.client.websocket_connect("/coach/squat/ws", headers=ORIGIN) as first:
            with pytest.raises(WebSocketDisconnect) as info, \
                    patient.client.websocket_connect("/setup/ws", headers=ORIGIN) as second:
                second.receive_json()
            assert info.value.code == 1008 and "live sessions" in info.value.reason
            first.send_text('{"type": "finish"}')
            first.receive_json()
        with patient.client.websocket_connect("/setup/ws", headers=ORIGIN) as again:  # the slot came back
            again.send_bytes(struct.pack("<d", 1.0) + _textured_jpeg())
            assert again.receive_json()["type"] == "setup"
