"""What the two camera sockets share (live coaching, setup assistant): the per-user cap and frame parsing.

A frame message is binary: an 8-byte little-endian float64 capture time in milliseconds, then the
JPEG bytes.
"""

from __future__ import annotations

import math
import struct
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import WebSocket
from starlette.concurrency import run_in_threadpool

from kneeline.errors import InputError
from kneeline.web.deps import get_ctx

__all__ = ["HEADER", "MAX_FRAME_BYTES", "with_socket_slot", "parse_frame", "answer_frame"]

HEADER = struct.Struct("<d")
"""The capture time that starts every frame message."""
MAX_FRAME_BYTES = 2_000_000
"""Largest frame message accepted (a 480 px JPEG is ~30-60 kB)."""


async def with_socket_slot(websocket: WebSocket, user_id: int, what: str,
                           run: Callable[[], Awaitable[None]]) -> None:
    """Run ``run`` while holding one of the user's live-socket slots (``web.max_live_sockets``).

    The socket must be accepted.  Without a free slot it is closed with 1008 and a reason naming
    ``what`` kind of tab to close.
    """
    ctx = get_ctx(websocket)  # type: ignore[arg-type]
    sockets, cap = ctx.live_sockets, ctx.settings.web.max_live_sockets
    if sockets.get(user_id, 0) >= cap:
        await websocket.close(code=1008, reason=f"you already have {cap} live sessions open; close another "
                                                 f"{what} tab and try again")
        return
    sockets[user_id] = sockets.get(user_id, 0) + 1
    try:
        await run()
    finally:
        sockets[user_id] -= 1
        if sockets[user_id] <= 0:
            del sockets[user_id]


async def parse_frame(websocket: WebSocket, data: bytes) -> tuple[float, bytes] | None:
    """Split a frame message into (capture time ms, JPEG bytes); answer an error and return None if bad."""
    if len(data) <= HEADER.size or len(data) > MAX_FRAME_BYTES:
        await websocket.send_json({"type": "error", "message": "frame too small or too large"})
        return None
    (t_ms,) = HEADER.unpack_from(data)
    if not math.isfinite(t_ms):
        await websocket.send_json({"type": "error", "message": "the frame's capture time is not a number; "
                                   "expected milliseconds as a float64"})
        return None
    return float(t_ms), data[HEADER.size:]


async def answer_frame(websocket: WebSocket, data: bytes, push: Callable[[float, bytes], Any], kind: str) -> None:
    """Run ``push(t_ms, jpeg)`` on a frame message off the event loop and send its answer.

    The answer is ``{"type": kind, "t": t_ms, kind: <push's result>, "server_ms": ...}``; a bad frame
    or an :class:`~kneeline.errors.InputError` from ``push`` is answered with ``{"type": "error"}``.
    """
    frame = await parse_frame(websocket, data)
    if frame is None:
        return
    t_ms, jpeg = frame
    began = time.perf_counter()
    try:
        result = await run_in_threadpool(push, t_ms, jpeg)
    except InputError as exc:
        await websocket.send_json({"type": "error", "message": str(exc)})
        return
    await websocket.send_json({"type": kind, "t": t_ms, kind: result,
                               "server_ms": round((time.perf_counter() - began) * 1000, 1)})
