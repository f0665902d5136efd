"""Issue 18, item 8: the live-coaching socket validates every message and caps sockets per user."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kneeline.web.app import create_app
from tests.web.conftest import make_settings, sign_up

ORIGIN = {"origin": "http://testserver"}
JUNK_FRAME = b"\x00" * 8 + b"junk that is no jpeg"
"""A frame with a valid header and a body that is no JPEG: an accepted socket answers it with an error."""


@pytest.fixture
def capped_app(tmp_path):  # type: ignore[no-untyped-def]
    app = create_app(make_settings(tmp_path / "data", max_live_sockets=1), start_jobs=False)
    with TestClient(app):
        yield app


@pytest.mark.parametrize("text,code", [("not json {", 1007), ("[1, 2]", 1007), ('"finish"', 1007),
                                       ('{"kind": "finish"}', 1007), ('{"type": "explode"}', 1003)])
def test_malformed_text_frames_close_with_a_code_and_a_reason(capped_app, text: str, code: int) -> None:  # type: ignore[no-untyped-def]
    patient = sign_up(capped_app, "Pat", "pat@example.org")
    with patient.client.websocket_connect("/coach/squat/ws", headers=ORIGIN) as ws:
        ws.send_text(text)
        message = ws.receive()
    assert message["type"] == "websocket.close" and message["code"] == code
    assert message.get("reason"), "a close frame should say what was expected"
    assert capped_app.state.ctx.live_sockets == {}, "the socket's slot (and model) was not released"


def test_a_frame_with_a_non_finite_time_is_answered_not_fatal(capped_app) -> None:  # type: ignore[no-untyped-def]
    patient = sign_up(capped_app, "Pat", "pat@example.org")
    with patient.client.websocket_connect("/coach/squat/ws", headers=ORIGIN) as ws:
        ws.send_bytes(b"\x00\x00\x00\x00\x00\x00\xf8\x7f" + b"\xff\xd8 not a jpeg")  # NaN, then junk
        assert ws.receive_json()["type"] == "error"
        ws.send_bytes(JUNK_FRAME)
        assert ws.receive_json()["type"] == "error"
        ws.send_bytes(JUNK_FRAME)  # still open and answering
        assert ws.receive_json()["type"] == "error"


def test_one_user_gets_at_most_the_configured_number_of_sockets(capped_app) -> None:  # type: ignore[no-untyped-def]
    patient = sign_up(capped_app, "Pat", "pat@example.org")
    other = sign_up(capped_app, "Other", "other@example.org")
    with patient.client.websocket_connect("/coach/squat/ws", headers=ORIGIN) as first:
        with patient.client.websocket_connect("/coach/squat/ws", headers=ORIGIN) as second:
            refused = second.receive()
        assert refused["type"] == "websocket.close" and refused["code"] == 1008
        assert "live sessions" in refused["reason"]
        with other.client.websocket_connect("/coach/squat/ws", headers=ORIGIN) as others:  # a cap per user
            others.send_bytes(JUNK_FRAME)
            assert others.receive_json()["type"] == "error"
        first.send_bytes(JUNK_FRAME)
        assert first.receive_json()["type"] == "error"
    assert capped_app.state.ctx.live_sockets == {}
    with patient.client.websocket_connect("/coach/squat/ws", headers=ORIGIN) as again:  # the slot came back
        again.send_bytes(JUNK_FRAME)
        assert again.receive_json()["type"] == "error"
