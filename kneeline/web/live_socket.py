"""What the two camera sockets share (live coaching, setup assistant): the per-user cap and frame parsing.

A frame message is binary: an 8-byte little-endian float64 capture time in milliseconds, then the
JPEG bytes.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Awaitable, Callable

from fastapi import WebSocket

from kneeline.web.deps import get_ctx

__all__ = ["HEADER", "MAX_FRAME_BYTES", "with_socket_slot", "parse_frame"]

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
