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

import numpy as np
from numpy.typing import NDArray

from kneeline.errors import InputError, KneelineError
from kneeline.io.prefetch import WriteBehind
from kneeline.io.video import iter_frames, probe, quiet_opencv

__all__ = ["WEBM_LONG_SIDE", "WEBM_MAX_FPS", "WEBM_CODEC", "write_webm", "WebmCopy"]

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
    copy = WebmCopy(dest, max_long_side)  # the same downscaling, thinning and atomic rename
    info = probe(source)
    done = 0
    try:
        for frame in iter_frames(source):
            if done == 0:
                copy.start(info.fps, (frame.image.shape[1], frame.image.shape[0]))
                if copy.error:
                    raise KneelineError(copy.error)
            copy.write(frame.image)
            done += 1
            if progress is not None:
                progress(done, max(info.frame_count, done))
    except BaseException:
        copy.abort()
        raise
    if done == 0:
        raise InputError(f"{Path(source).name} gave no frames to copy into {copy.dest.name}.")
    copy.finish()
    if copy.error:
        raise KneelineError(f"cannot write {copy.dest.name}: {copy.error}")
    return copy.dest


class WebmCopy:
    """``annotated.webm`` made from the annotated frames while they are drawn (no second decode).

    Pass it to :func:`kneeline.report.annotate.write_annotated_video` (``copies=``); the frames are
    downscaled and thinned as by :func:`write_webm` and encoded in a background thread.  The copy is
    optional: when this OpenCV has no VP8 encoder, or the encoder fails, the annotated MP4 is still
    written and :attr:`error` says why there is no copy; ``dest`` then does not exist.  ``dest``
    appears complete or not at all.

    Parameters
    ----------
    dest
        The ``.webm`` file to write.
    max_long_side
        Longest side of the copy in pixels.
    """

    def __init__(self, dest: str | Path, max_long_side: int = WEBM_LONG_SIDE) -> None:
        if max_long_side < 2:
            raise ValueError(f"max_long_side must be at least 2 pixels; got {max_long_side}")
        self.dest = Path(dest)
        self.max_long_side = max_long_side
        self.error: str | None = None
        self._tmp = self.dest.with_name(f".{self.dest.stem}.{secrets.token_hex(4)}.partial.webm")
        self._writer: WriteBehind | None = None
        self._size = (0, 0)
        self._step = 1
        self._seen = 0

    def start(self, fps: float, size: tuple[int, int]) -> None:
        """Open the VP8 writer for frames of ``size`` at ``fps`` (records :attr:`error` if it cannot)."""
        rate = fps if 1.0 <= fps <= 480.0 else WEBM_MAX_FPS
        self._step = max(1, math.ceil(rate / WEBM_MAX_FPS - 1e-6))
        self._size = _webm_size(size[0], size[1], self.max_long_side)
        try:
            self._writer = WriteBehind(_open_webm(self._tmp, rate / self._step, self._size))
        except KneelineError as exc:
            self.error = str(exc)

    def write(self, image: NDArray[np.uint8]) -> None:
        """Queue every ``step``-th frame, downscaled (the caller's image is not changed)."""
        import cv2

        keep = self._seen % self._step == 0
        self._seen += 1
        if self._writer is None or not keep:
            return
        if (image.shape[1], image.shape[0]) != self._size:
            image = np.asarray(cv2.resize(image, self._size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
        try:
            self._writer.write(image)
        except Exception as exc:  # the browser copy is optional: its encoder failing leaves the job without it
            self.error = f"the VP8 encoder failed ({exc})"
            self.abort()

    def finish(self) -> None:
        """Close the writer and move the copy into place."""
        if self._writer is None:
            return
        writer, self._writer = self._writer, None
        try:
            writer.release()
        except Exception as exc:  # as in write(): no copy rather than a failed job
            self.error = f"the VP8 encoder failed ({exc})"
        if self.error is None and (not self._tmp.is_file() or self._tmp.stat().st_size == 0):
            self.error = "the VP8 encoder wrote nothing"
        if self.error is None:
            self._tmp.replace(self.dest)
            logger.info("%s: %d frames, %dx%d, VP8", self.dest, -(-self._seen // self._step), *self._size)
        self._tmp.unlink(missing_ok=True)

    def abort(self) -> None:
        """Stop writing and remove the partial copy."""
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer.release()
            except Exception:  # discarding anyway; the error that matters is the caller's
                logger.debug("releasing an aborted WebM copy failed", exc_info=True)
        self._tmp.unlink(missing_ok=True)
