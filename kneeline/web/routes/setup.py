"""The live setup assistant's socket: camera frames in, the setup checks out.

Protocol on ``/setup/ws?view=frontal|sagittal`` (same-origin, signed-in patients only; the record
page and the live coaching page use it before a recording or a set):

- browser -> server, binary: 8 bytes little-endian float64 capture time (ms, the page's clock),
  then one JPEG frame (as on the live coaching socket, one frame in flight);
- server -> browser, JSON ``{"type": "setup", "t": capture_ms, "setup": {...}, "server_ms": ...}``
  where ``setup`` holds ``checks`` (``id``, ``label``, ``ok`` true/false/null, ``message``),
  ``all_ok``, ``steady_s``, ``ready`` (every check met for ``need_steady_s``) and ``countdown_s``
  (see :class:`kneeline.capture.live_setup.LiveSetup`);
- the browser sends nothing else; a text message closes the socket with code 1003.

The socket counts toward ``web.max_live_sockets`` like the coaching socket (each holds a pose
model).  When a recording or set starts before every check was met ("record anyway"), the page
sends the ids of the unmet checks with it — the ``setup_unmet`` form field of an upload, the
``setup`` query parameter of the coaching socket — and the stored result carries the warning of
:func:`kneeline.capture.setup.recorded_anyway_warning`.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from kneeline.capture.setup import CHECK_IDS, recorded_anyway_warning
from kneeline.config import Settings
from kneeline.errors import InputError
from kneeline.web.deps import get_ctx
from kneeline.web.live_socket import answer_frame, with_socket_slot

__all__ = ["router", "parse_unmet", "setup_warning"]

router = APIRouter()

_KNOWN = frozenset((*CHECK_IDS, "unchecked"))


def parse_unmet(text: str | None) -> list[str] | None:
    """The unmet check ids a page sent (``"ok"``: none); None when it sent nothing.

    Unknown ids are dropped, so a crafted value cannot put arbitrary text into a result.
    """
    if text is None or not text.strip():
        return None
    ids = [part.strip() for part in text.split(",")]
    return [i for i in dict.fromkeys(ids) if i in _KNOWN]


def setup_warning(text: str | None) -> str | None:
    """The warning a result carries for the ``setup_unmet`` value a page sent, or None."""
    unmet = parse_unmet(text)
    return None if not unmet else recorded_anyway_warning(unmet)


def _backend(settings: Settings) -> Any:
    """BlazePose, or the replayed keypoints of the ``web.live_keypoints`` test hook."""
    if settings.web.live_keypoints is not None:
        from kneeline.capture.live_setup import looping_replay

        return looping_replay(settings.web.live_keypoints)
    from kneeline.pose.mediapipe_backend import MediaPipePose

    return MediaPipePose()


class _SetupStream:
    """The pose model and the setup checks of one socket, used from a worker thread."""

    def __init__(self, view: Literal["frontal", "sagittal"], settings: Settings) -> None:
        from kneeline.capture.live_setup import LiveSetup

        self.pose = _backend(settings)
        self.setup = LiveSetup(view, source=self.pose.name)

    def push(self, t_ms: float, jpeg: bytes) -> dict[str, Any]:
        import cv2

        decoded = cv2.imdecode(np.frombuffer(jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
        if decoded is None:
            raise InputError("a camera frame could not be decoded; expected a JPEG image")
        rgb = np.asarray(cv2.cvtColor(np.asarray(decoded, dtype=np.uint8), cv2.COLOR_BGR2RGB), dtype=np.uint8)
        return self.setup.push(t_ms / 1000.0, self.pose.process(rgb), rgb)

    def close(self) -> None:
        self.setup.close()
        self.pose.close()


@router.websocket("/setup/ws")
async def setup_socket(websocket: WebSocket) -> None:
    """Run the setup checks on the camera frames the page sends."""
    from kneeline.web.routes.coach import _same_origin, _user_for

    user = _user_for(websocket)
    if user is None or not _same_origin(websocket):
        await websocket.close(code=1008, reason="sign in as a patient on this site first")
        return
    view = websocket.query_params.get("view", "frontal")
    if view not in ("frontal", "sagittal"):
        await websocket.close(code=1008, reason=f"view must be frontal or sagittal; got {view[:20]!r}")
        return
    await websocket.accept()
    settings = get_ctx(websocket).settings  # type: ignore[arg-type]
    await with_socket_slot(websocket, user.id, "camera",
                           lambda: _loop(websocket, view, settings))  # type: ignore[arg-type]


async def _loop(websocket: WebSocket, view: Literal["frontal", "sagittal"], settings: Settings) -> None:
    stream = await run_in_threadpool(_SetupStream, view, settings)
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("text") is not None:
                await websocket.close(code=1003, reason="this socket takes only camera frames (binary)")
                break
            data = message.get("bytes")
            if data is None:
                continue
            await answer_frame(websocket, data, stream.push, "setup")
    except WebSocketDisconnect:
        pass
    finally:
        stream.close()
