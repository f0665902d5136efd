"""``annotated.webm``: a copy of the annotated video that every browser can play.

``annotated.mp4`` is MPEG-4 Part 2 (``mp4v``) whenever OpenCV's wheel has no H.264 encoder (the
usual case), and Chromium and Firefox do not play that codec.  This module transcodes it to VP8 in
WebM (OpenCV's FFmpeg backend, FourCC ``VP80``), downscaled to at most :data:`WEBM_LONG_SIDE`
pixels on the long side so the encoder stays cheap.

Measured on one shared CPU core (the OpenCap squat clip, 799 frames 720x1280 at 60 fps, whose
whole analysis takes ~32 s): about 10 ms per frame at 480 px, i.e. ~8 s or a quarter of the
analysis; VP9 (``VP90``) was five times slower and is not used.
"""

from __future__ import annotations

import logging
import math
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kneeline.errors import InputError, KneelineError
from kneeline.io.video import iter_frames, probe, quiet_opencv

__all__ = ["WEBM_LONG_SIDE", "WEBM_MAX_FPS", "WEBM_CODEC", "write_webm"]

logger = logging.getLogger(__name__)

WEBM_LONG_SIDE = 480
"""Longest side of ``annotated.webm`` in pixels (a phone screen's video panel; not a clinical number)."""

WEBM_MAX_FPS = 30.0
"""Highest frame rate of ``annotated.webm``: 60 fps phone videos keep every other frame (half the cost)."""

WEBM_CODEC = "VP80"
"""FourCC of the WebM video codec (VP8: decoded by every browser, and fast to encode)."""


def _webm_size(width: int, height: int, max_long_side: int) -> tuple[int, int]:
    """Width and height downscaled to ``max_long_side`` (never upscaled), rounded down to even numbers."""
    factor = min(1.0, max_long_side / max(width, height))
    return max(2, int(width * factor) // 2 * 2), max(2, int(height * factor) // 2 * 2)


def _open_webm(path: Path, fps: float, size: tuple[int, int]) -> Any:
    import cv2

    with quiet_opencv():
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*WEBM_CODEC), fps, size)
    if not writer.isOpened():
        writer.release()
        raise KneelineError(f"this OpenCV build cannot write {WEBM_CODEC} WebM video (no VP8 encoder in its "
                            "FFmpeg); install the opencv-python wheel from PyPI, which has one.")
    return writer


def write_webm(source: str | Path, dest: str | Path, *, max_long_side: int = WEBM_LONG_SIDE,
               progress: Callable[[int, int], None] | None = None) -> Path:
    """Transcode ``source`` (any video OpenCV reads) to VP8 WebM at ``dest``, written atomically.

    Frames are downscaled to ``max_long_side`` and, above :data:`WEBM_MAX_FPS`, every n-th frame is
    kept (60 fps -> 30 fps).

    Parameters
    ----------
    source
        The video to copy, e.g. ``annotated.mp4``.
    dest
        The ``.webm`` file to write; it appears complete or not at all (written under a temporary
        name in the same folder, then renamed).
    max_long_side
        Longest side of the output in pixels; smaller videos keep their size.
    progress
        Called as ``progress(done, total)`` after each frame read (``total`` from the container, at
        least ``done``).

    Returns
    -------
    Path
        ``dest``.

    Raises
    ------
    InputError
        If ``source`` is not a readable video.
    KneelineError
        If this OpenCV build has no VP8 encoder, or the encoder wrote nothing.
    """
    import cv2

    if max_long_side < 2:
        raise ValueError(f"max_long_side must be at least 2 pixels; got {max_long_side}")
    out = Path(dest)
    info = probe(source)
    fps = info.fps if 1.0 <= info.fps <= 480.0 else WEBM_MAX_FPS
    step = max(1, math.ceil(fps / WEBM_MAX_FPS - 1e-6))
    size = _webm_size(info.width, info.height, max_long_side)
    tmp = out.with_name(f".{out.stem}.{secrets.token_hex(4)}.partial.webm")
    writer = _open_webm(tmp, fps / step, size)
    done = 0
    try:
        for frame in iter_frames(source):
            done += 1
            if progress is not None:
                progress(done, max(info.frame_count, done))
            if (frame.index % step) != 0:
                continue
            image: Any = frame.image
            if (image.shape[1], image.shape[0]) != size:
                image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            writer.write(image)
        writer.release()
        if done == 0 or tmp.stat().st_size == 0:
            raise InputError(f"{Path(source).name} gave no frames to copy into {out.name}.")
        tmp.replace(out)
    finally:
        writer.release()
        tmp.unlink(missing_ok=True)
    logger.info("%s: %d frames, %dx%d, VP8", out, done, *size)
    return out
