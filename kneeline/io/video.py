"""Reading videos frame by frame through OpenCV (FFmpeg backend).

Frames come out upright (rotation metadata of portrait phone videos is applied) with their own
presentation timestamps (variable frame rate is honoured); nothing is held in memory beyond the
current frame.

Rotation
--------
Phones store portrait videos as landscape pictures plus a rotation tag.  The opencv-python wheels
of OpenCV 4.11 leave ``CAP_PROP_ORIENTATION_AUTO`` **off** by default (measured: a file tagged 90°
comes out sideways), so kneeline switches it on for every file and, should a build refuse that,
rotates the frames itself with the angle from ``CAP_PROP_ORIENTATION_META`` (clockwise degrees).

Timestamps
----------
Each frame's time is ``CAP_PROP_POS_MSEC`` after it is read.  A timestamp that is missing, not a
number, or not later than the previous one is replaced by the previous time plus one frame period
(``1 / fps``, or ``fallback_fps`` from ``kneeline/data/video.yaml`` when the container has no rate);
the number of replaced timestamps is reported in :class:`DecodeSummary`.

Frame rate
----------
A reader opened with ``step=k`` yields every k-th frame (indices 0, k, 2k...) with its own
timestamp and index.  The frames between are still decoded (compressed video needs them) but only
*grabbed*: never converted to BGR, copied or handed on, which saves about half the decoding time
(``benchmarks/speed.py``).  :func:`frame_step` chooses ``k`` for an analysis frame rate.

Frame size
----------
Frames are decoded at full size up to ``max_frame_side`` / ``max_frame_pixels`` (8K; larger files
are refused).  Large frames are not refused: the pose runner downscales them to its working size
(``working_max_side_px`` in ``kneeline/data/pose.yaml``) before inference.

Bad input
---------
Every unusable file raises :class:`~kneeline.errors.InputError` saying what is wrong and what to do:
missing, empty, a directory, a text file, audio only, an MP4/MOV whose index is cut off, no
decodable frame, a frame size above the limit, a video longer than the duration limit.  A file
whose decoding stops well before the container's frame count is *usable*: the frames before the
damage are yielded and :meth:`VideoReader.summary` says ``truncated``; the caller decides (or passes
``strict=True`` to refuse it).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kneeline.errors import InputError
from kneeline.evidence import value

__all__ = [
    "Frame", "VideoInfo", "DecodeSummary", "VideoReader", "probe", "check_limits", "open_video",
    "iter_frames", "quiet_opencv", "iter_frames_at", "frame_step",
]

_LIMITS = "video.yaml"
_FORMATS = "mp4, mov, avi or webm from a phone or webcam"
_BMFF_TOP = {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot", b"uuid", b"meta"}
_AUDIO_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"WAVE", 8, "WAV audio"), (b"ID3", 0, "MP3 audio"), (b"fLaC", 0, "FLAC audio"),
    (b"M4A ", 8, "M4A audio"), (b"\xff\xfb", 0, "MP3 audio"), (b"\xff\xf3", 0, "MP3 audio"),
    (b"#!AMR", 0, "AMR audio"),
)


@dataclass(frozen=True)
class Frame:
    """One decoded frame.

    Attributes
    ----------
    index
        0-based frame number in decoding order.
    time_s
        Presentation timestamp in seconds.
    image
        BGR ``uint8`` image, shape ``(height, width, 3)``, upright (rotation applied).
    """

    index: int
    time_s: float
    image: NDArray[np.uint8]


@dataclass(frozen=True)
class VideoInfo:
    """Container-level facts about a video, read by decoding only its first frame.

    Attributes
    ----------
    path
        The file.
    width, height
        Size of the upright (displayed) frames in pixels.
    fps
        Nominal frame rate from the container (0 when it gives none).
    frame_count
        Frame count from the container (0 when unknown); decoding may find fewer.
    duration_s
        ``frame_count / fps`` (0 when either is unknown).
    rotation_deg
        Clockwise rotation applied to the stored picture (0, 90, 180 or 270).
    codec
        FourCC of the video codec, e.g. ``"h264"`` (empty when unknown).
    """

    path: Path
    width: int
    height: int
    fps: float
    frame_count: int
    duration_s: float
    rotation_deg: int
    codec: str = ""


@dataclass(frozen=True)
class DecodeSummary:
    """What happened while a :class:`VideoReader` decoded its file.

    Attributes
    ----------
    frames_decoded
        Frames yielded.
    frames_expected
        The container's frame count (0 when unknown).
    finished
        True when decoding reached the end of the file (not stopped by the caller).
    truncated
        True when decoding ended well before ``frames_expected`` (damaged or cut-off file).
    timestamps_repaired
        Frames whose timestamp was missing or not increasing and was replaced.
    last_time_s
        Timestamp of the last frame yielded (NaN before the first).
    """

    frames_decoded: int
    frames_expected: int
    finished: bool
    truncated: bool
    timestamps_repaired: int
    last_time_s: float

    def message(self) -> str:
        """Return a plain-language note on truncation ("" when the file decoded completely)."""
        if not self.truncated:
            return ""
        return (f"decoding stopped after {self.frames_decoded} of {self.frames_expected} frames "
                f"({self.last_time_s:.1f} s): the file is truncated or damaged after that point. Only "
                "those frames are used; copy the complete video from the recording device for a full "
                "analysis.")


def _check_file(path: str | Path) -> Path:
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p} is a folder, not a video file. Give the path to one video ({_FORMATS}).")
    if not p.is_file():
        raise InputError(f"video file not found: {p}. Give the path to a video file ({_FORMATS}).")
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc}. Check the file's permissions.") from exc
    if size == 0:
        raise InputError(f"{p.name} is empty (0 bytes). Record or copy the video again.")
    return p


@contextmanager
def quiet_opencv() -> Iterator[None]:
    """Silence OpenCV's own log while opening a file whose failure kneeline reports itself."""
    import cv2

    previous = cv2.getLogLevel()
    cv2.setLogLevel(0)
    try:
        yield
    finally:
        cv2.setLogLevel(previous)


def _open_capture(path: Path) -> tuple[Any, int]:
    """Open ``path`` with FFmpeg; return the capture and the rotation kneeline must apply itself."""
    import cv2

    with quiet_opencv():
        cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if not cap.isOpened():
        cap.release()
        raise InputError(_unreadable_message(path))
    rotation = _rotation_of(cap)
    manual = 0
    if rotation:
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        if cap.get(cv2.CAP_PROP_ORIENTATION_AUTO) != 1:
            manual = rotation
    return cap, manual


def _rotation_of(cap: Any) -> int:
    import cv2

    raw = float(cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0.0)
    deg = int(round(raw)) % 360 if math.isfinite(raw) else 0
    return deg if deg in (90, 180, 270) else 0


def _orient(image: NDArray[np.uint8], rotation_deg: int) -> NDArray[np.uint8]:
    """Rotate ``image`` clockwise by ``rotation_deg`` (0 returns it unchanged)."""
    import cv2

    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    if rotation_deg not in codes:
        return image
    return np.asarray(cv2.rotate(image, codes[rotation_deg]), dtype=np.uint8)


def _fourcc(cap: Any) -> str:
    import cv2

    raw = cap.get(cv2.CAP_PROP_FOURCC)
    if not raw or not math.isfinite(raw):
        return ""
    text = int(raw).to_bytes(4, "little", signed=False).decode("ascii", errors="replace")
    return text.strip("\x00 ")


def probe(path: str | Path) -> VideoInfo:
    """Open ``path``, decode its first frame and read its size, frame rate, frame count and rotation.

    Parameters
    ----------
    path
        A video file.

    Returns
    -------
    VideoInfo
        Facts about the file; ``width``/``height`` are those of the upright frames.

    Raises
    ------
    InputError
        If the file is missing, empty, not a video, audio only, cut off, or has no decodable frame.
    """
    import cv2

    p = _check_file(path)
    cap, manual = _open_capture(p)
    try:
        rotation = _rotation_of(cap)
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        count_raw = float(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0.0)
        codec = _fourcc(cap)
        ok, image = cap.read()
        if not ok or image is None:
            raise InputError(f"{p.name} opened as a video but not one frame could be decoded (the "
                             f"container reports {max(int(count_raw), 0)} frames, codec "
                             f"{codec or 'unknown'}). The file is empty of pictures, damaged, or uses an "
                             "unsupported codec; re-export it as MP4 (H.264) and try again.")
        height, width = _orient(image, manual).shape[:2]
    finally:
        cap.release()
    fps = fps if math.isfinite(fps) and 0 < fps < 1000 else 0.0
    count = int(count_raw) if math.isfinite(count_raw) and count_raw > 0 else 0
    duration = count / fps if fps > 0 else 0.0
    return VideoInfo(path=p, width=int(width), height=int(height), fps=fps, frame_count=count,
                     duration_s=duration, rotation_deg=rotation, codec=codec)


def check_limits(info: VideoInfo, *, max_duration_s: float | None = None) -> None:
    """Refuse videos above kneeline's size and duration limits (``kneeline/data/video.yaml``).

    Parameters
    ----------
    info
        What :func:`probe` read.
    max_duration_s
        Longest accepted video in seconds; ``None`` uses ``max_duration_s`` from ``video.yaml``.

    Raises
    ------
    InputError
        If a frame is larger than the limit or the video is longer than ``max_duration_s``.
    """
    max_side = int(value(_LIMITS, "max_frame_side"))
    max_pixels = int(value(_LIMITS, "max_frame_pixels"))
    if max(info.width, info.height) > max_side or info.width * info.height > max_pixels:
        raise InputError(f"{info.path.name} has {info.width}x{info.height} frames, above kneeline's limit "
                         f"({max_side} px on a side, {max_pixels / 1e6:.1f} megapixels). Re-export the video "
                         "at 4K (3840x2160) or 1080p and try again.")
    limit = _duration_limit(max_duration_s)
    if info.duration_s > limit:
        raise InputError(f"{info.path.name} lasts {_minutes(info.duration_s)}; kneeline analyses videos up "
                         f"to {_minutes(limit)}. Trim the video to the test itself (a few repetitions) and "
                         "try again.")


def _duration_limit(max_duration_s: float | None) -> float:
    limit = float(value(_LIMITS, "max_duration_s")) if max_duration_s is None else float(max_duration_s)
    if not limit > 0:
        raise InputError(f"the maximum video duration must be positive; got {max_duration_s}")
    return limit


def _minutes(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


class _Clock:
    """Turns raw ``CAP_PROP_POS_MSEC`` readings into strictly increasing timestamps."""

    def __init__(self, fps: float) -> None:
        rate = fps if fps > 0 else float(value(_LIMITS, "fallback_fps"))
        self._step = 1.0 / rate
        self._last: float | None = None
        self.repaired = 0

    def stamp(self, pos_msec: float) -> float:
        """Return the time in seconds of the frame just read (repaired when unusable)."""
        t = float(pos_msec) / 1000.0
        if self._last is None:
            good = math.isfinite(t) and t >= 0
            fallback = 0.0
        else:
            good = math.isfinite(t) and t > self._last
            fallback = self._last + self._step
        if not good:
            t = fallback
            self.repaired += 1
        self._last = t
        return t


def _is_truncated(decoded: int, expected: int) -> bool:
    if expected <= 0:
        return False
    missing = expected - decoded
    fraction = float(value(_LIMITS, "truncation_missing_fraction"))
    at_least = int(value(_LIMITS, "truncation_min_missing_frames"))
    return missing >= at_least and missing > fraction * expected


class VideoReader:
    """Decode one video file frame by frame (use :func:`open_video`).

    Iterate over the reader once to get :class:`Frame` objects; afterwards :meth:`summary` says
    how many frames were decoded and whether the file was cut short.  Use it as a context manager
    so the decoder is released even when iteration stops early.

    Parameters
    ----------
    path
        The video file.
    max_duration_s
        Longest accepted video; ``None`` uses ``video.yaml``.  Checked against the container's
        duration before decoding and, for containers that do not state it, while decoding.
    strict
        If True, a truncated file raises :class:`InputError` when decoding stops early, instead of
        being reported through :meth:`summary`.
    step
        Yield every ``step``-th frame only (indices 0, step, 2*step...); the others are grabbed,
        not converted.  ``DecodeSummary.frames_decoded`` still counts every frame read.  The
        attribute of the same name may be changed before iterating (e.g. once ``info.fps`` is known).

    Raises
    ------
    InputError
        As :func:`probe` and :func:`check_limits`, or for a ``step`` below 1.
    """

    def __init__(self, path: str | Path, *, max_duration_s: float | None = None,
                 strict: bool = False, step: int = 1) -> None:
        if int(step) < 1:
            raise InputError(f"the frame step must be 1 or more (every frame = 1); got {step}")
        self.info = probe(path)
        check_limits(self.info, max_duration_s=max_duration_s)
        self._limit_s = _duration_limit(max_duration_s)
        self._strict = strict
        self.step = int(step)
        self._started = False
        self._finished = False
        self._decoded = 0
        self._repaired = 0
        self._first_t = math.nan
        self._last_t = math.nan
        self._frames: Iterator[Frame] | None = None

    def __iter__(self) -> Iterator[Frame]:
        if self._started:
            raise RuntimeError("a VideoReader can be iterated only once; open the video again")
        self._started = True
        self._frames = self._decode()
        return self._frames

    def _decode(self) -> Iterator[Frame]:
        import cv2

        cap, manual = _open_capture(self.info.path)
        clock = _Clock(self.info.fps)
        try:
            while True:
                wanted = self._decoded % self.step == 0
                if wanted:
                    ok, image = cap.read()
                else:
                    ok, image = cap.grab(), None
                if not ok or (wanted and image is None):
                    break
                t = clock.stamp(cap.get(cv2.CAP_PROP_POS_MSEC))
                self._repaired = clock.repaired
                if self._decoded and t - self._first_t > self._limit_s:
                    raise InputError(f"{self.info.path.name} lasts longer than {_minutes(self._limit_s)}, "
                                     "kneeline's limit. Trim the video to the test itself and try again.")
                if not self._decoded:
                    self._first_t = t
                index = self._decoded
                self._decoded += 1
                self._last_t = t
                if image is not None:
                    yield Frame(index=index, time_s=t, image=_orient(image, manual))
        finally:
            cap.release()
        self._finished = True
        self._raise_if_unusable()

    def _raise_if_unusable(self) -> None:
        if self._decoded == 0:
            raise InputError(f"{self.info.path.name}: no frame could be decoded. The file is damaged or uses "
                             "an unsupported codec; re-export it as MP4 (H.264) and try again.")
        summary = self.summary()
        if self._strict and summary.truncated:
            raise InputError(f"{self.info.path.name}: {summary.message()}")

    def summary(self) -> DecodeSummary:
        """Return what decoding has found so far (final once iteration has ended)."""
        truncated = self._finished and _is_truncated(self._decoded, self.info.frame_count)
        return DecodeSummary(frames_decoded=self._decoded, frames_expected=self.info.frame_count,
                             finished=self._finished, truncated=truncated,
                             timestamps_repaired=self._repaired, last_time_s=self._last_t)

    def close(self) -> None:
        """Stop decoding and release the file (safe to call more than once)."""
        if self._frames is not None and hasattr(self._frames, "close"):
            self._frames.close()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def open_video(path: str | Path, *, max_duration_s: float | None = None, strict: bool = False,
               step: int = 1) -> VideoReader:
    """Check ``path`` and return a :class:`VideoReader` for it.

    Parameters
    ----------
    path
        The video file.
    max_duration_s
        Longest accepted video in seconds; ``None`` uses ``max_duration_s`` from ``video.yaml``.
    strict
        Refuse truncated files instead of reporting them in :meth:`VideoReader.summary`.
    step
        Yield every ``step``-th frame only (see :class:`VideoReader`).

    Raises
    ------
    InputError
        If the file is unusable (see the module docstring).
    """
    return VideoReader(path, max_duration_s=max_duration_s, strict=strict, step=step)


def frame_step(fps: float, target_fps: float | None) -> int:
    """Every how many frames to keep so that a ``fps`` video is analysed at about ``target_fps``.

    The step is the largest whole number that keeps the rate at or above the target (within 1%):
    60 -> 30 fps keeps every 2nd frame, 59.94 -> 30 every 2nd (29.97 fps), 50 -> 30 every frame,
    240 -> 30 every 8th.

    Parameters
    ----------
    fps
        The video's frame rate (0 or unknown: every frame is kept).
    target_fps
        The analysis frame rate; ``None`` or 0 keeps every frame.

    Returns
    -------
    int
        1 for every frame, 2 for every other frame, ...
    """
    if not target_fps or target_fps <= 0 or not (math.isfinite(fps) and fps > 0):
        return 1
    return max(1, int(math.floor(fps / float(target_fps) + 0.01)))


def iter_frames(path: str | Path, *, max_duration_s: float | None = None,
                strict: bool = False, step: int = 1) -> Iterator[Frame]:
    """Yield the frames of ``path`` one by one, upright, with timestamps.

    Parameters
    ----------
    path
        The video file.
    max_duration_s
        Longest accepted video in seconds; ``None`` uses ``video.yaml``.
    strict
        Raise when decoding stops well before the container's frame count; by default the frames
        before the damage are yielded silently (use :func:`open_video` to learn about it).
    step
        Yield every ``step``-th frame only (the others are grabbed, not converted).

    Raises
    ------
    InputError
        If the file is unusable (see the module docstring).
    """
    with open_video(path, max_duration_s=max_duration_s, strict=strict, step=step) as reader:
        yield from reader


def iter_frames_at(path: str | Path, indices: Iterable[int]) -> Iterator[Frame]:
    """Yield the frames at ``indices`` (seeking, not decoding the whole file).

    Indices past the end, or where seeking fails, are skipped.  Timestamps come from the container;
    when it gives none, ``index / fps``.

    Parameters
    ----------
    path
        The video file.
    indices
        0-based frame numbers, in any order.

    Raises
    ------
    InputError
        If the file is unusable.
    """
    import cv2

    info = probe(path)
    cap, manual = _open_capture(info.path)
    step = 1.0 / (info.fps if info.fps > 0 else float(value(_LIMITS, "fallback_fps")))
    try:
        for index in indices:
            if index < 0 or (info.frame_count and index >= info.frame_count):
                continue
            cap.set(cv2.CAP_PROP_POS_FRAMES, float(index))
            ok, image = cap.read()
            if not ok or image is None:
                continue
            t = float(cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0
            if not (math.isfinite(t) and t >= 0):
                t = index * step
            yield Frame(index=int(index), time_s=t, image=_orient(image, manual))
    finally:
        cap.release()


def _unreadable_message(path: Path) -> str:
    """Say why FFmpeg cannot open ``path``, from a look at its first bytes and MP4/MOV boxes."""
    name = path.name
    try:
        with path.open("rb") as f:
            head = f.read(4096)
            size = path.stat().st_size
            boxes = _scan_bmff(f, size) if head[4:8] in _BMFF_TOP else None
    except OSError as exc:
        return f"cannot read {path}: {exc}. Check the file's permissions."
    if _looks_like_text(head):
        snippet = head[:40].decode("utf-8", errors="replace").splitlines()[0] if head.strip() else ""
        return (f"{name} is a text file, not a video (it starts with {snippet!r}). Give the video file "
                f"itself ({_FORMATS}).")
    for magic, offset, kind in _AUDIO_MAGIC:
        if head[offset:offset + len(magic)] == magic:
            return (f"{name} holds {kind} only: there is no video stream. Give the video recording, not an "
                    "audio export.")
    if boxes is not None:
        message = _bmff_problem(name, *boxes)
        if message:
            return message
    return (f"{name} is not a video kneeline can decode (unrecognised format or damaged file). Expected "
            f"{_FORMATS}; try re-exporting it as MP4 (H.264).")


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable >= 0.95 * len(text)


def _scan_bmff(f: Any, size: int) -> tuple[list[bytes], bool, bytes | None]:
    """Walk the top-level boxes of an MP4/MOV: their types, whether one runs past the end, moov."""
    kinds: list[bytes] = []
    overrun = False
    moov: bytes | None = None
    pos = 0
    while pos + 8 <= size and len(kinds) < 4096:
        f.seek(pos)
        header = f.read(16)
        box_size, kind = struct.unpack(">I4s", header[:8])
        header_len = 8
        if box_size == 1 and len(header) == 16:
            box_size, header_len = struct.unpack(">Q", header[8:16])[0], 16
        elif box_size == 0:
            box_size = size - pos
        if box_size < header_len:
            overrun = True
            break
        kinds.append(kind)
        if pos + box_size > size:
            overrun = True
            break
        if kind == b"moov":
            f.seek(pos + header_len)
            moov = f.read(min(box_size - header_len, 64 << 20))
        pos += box_size
    return kinds, overrun, moov


def _bmff_problem(name: str, kinds: list[bytes], overrun: bool, moov: bytes | None) -> str:
    if moov is not None:
        handlers = {moov[i + 12:i + 16] for i in _find_all(moov, b"hdlr")}
        if b"trak" not in moov:
            return (f"{name} holds no video frames (the recording has no track at all). Record the video "
                    "again and check that it plays.")
        if b"vide" not in handlers:
            what = "an audio track only" if b"soun" in handlers else "no video track"
            return (f"{name} holds {what}: there is no video stream. Give the video recording, not an "
                    "audio export.")
        samples = [struct.unpack(">I", moov[i + 12:i + 16])[0] for i in _find_all(moov, b"stsz")
                   if len(moov) >= i + 16]
        if samples and not any(samples):
            return (f"{name} holds no video frames (the recording has 0 frames). Record the video again and "
                    "check that it plays.")
    if overrun or moov is None:
        return (f"{name} looks truncated: the MP4/MOV file ends before its index (the 'moov' box) is "
                f"complete (boxes found: {', '.join(k.decode('latin-1') for k in kinds) or 'none'}). The "
                "recording was interrupted or the copy is incomplete; copy the original video from the "
                "phone again.")
    return ""


def _find_all(data: bytes, needle: bytes) -> Iterator[int]:
    start = data.find(needle)
    while start != -1:
        yield start
        start = data.find(needle, start + 1)
