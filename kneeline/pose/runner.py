"""Run a pose backend over a video: decoding and inference overlapped, memory constant in length.

A background thread decodes frames, downscales large ones to the working size and converts them
to RGB, and hands them over through a small bounded queue; the calling thread runs the pose model.
On a 2-core machine both cores work, and the pose model — the slower stage — never waits for the
decoder.  Only the keypoints are kept: ``33 x (2 + 1 + 3)`` floats per frame, in arrays that grow
by doubling and are trimmed at the end.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kneeline.errors import CaptureError, InputError
from kneeline.evidence import value
from kneeline.io.video import Frame, frame_step, open_video
from kneeline.pose.backend import PoseBackend, PoseFrame
from kneeline.pose.container import FloatArray, PoseSeries

__all__ = ["ProgressCallback", "FrameHook", "estimate_pose", "estimate_pose_frames", "prepare_image"]

ProgressCallback = Callable[[int, int], None]
"""``progress(done_frames, total_frames)``; ``total_frames`` is 0 when the container does not say."""

FrameHook = Callable[[Frame], None]
"""Called in the decode thread with each decoded frame (e.g. to keep a few for the people count).
It must be quick and must not modify the frame."""

_SETTINGS = "pose.yaml"


def prepare_image(image_bgr: NDArray[np.uint8], max_side_px: int | None) -> NDArray[np.uint8]:
    """Return the RGB image the pose model sees: downscaled to ``max_side_px`` (longer side) if larger.

    Parameters
    ----------
    image_bgr
        A decoded BGR frame; not modified.
    max_side_px
        Longest side in pixels of the working image; ``None`` or 0 keeps the full size.
    """
    import cv2

    height, width = image_bgr.shape[:2]
    longest = max(height, width)
    small: Any = image_bgr
    if max_side_px and longest > max_side_px:
        factor = max_side_px / longest
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        small = cv2.resize(image_bgr, size, interpolation=cv2.INTER_AREA)
    rgb: NDArray[np.uint8] = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
    return rgb


@dataclass(frozen=True)
class _Failure:
    error: Exception


_END = object()


class _Prefetch:
    """Iterates ``frames`` in a background thread, preparing each image, through a bounded queue."""

    def __init__(self, frames: Iterable[Frame], max_side_px: int | None, size: int,
                 hook: FrameHook | None = None) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(1, size))
        self._stop = threading.Event()
        self._max_side = max_side_px
        self._hook = hook
        self._thread = threading.Thread(target=self._run, args=(frames,), name="kneeline-decode", daemon=True)
        self._thread.start()

    def _run(self, frames: Iterable[Frame]) -> None:
        iterator = iter(frames)
        try:
            for frame in iterator:
                if self._hook is not None:
                    self._hook(frame)
                item = (frame.time_s, prepare_image(frame.image, self._max_side))
                if not self._put(item):
                    return
            self._put(_END)
        except Exception as exc:  # handed to the consuming thread, which re-raises it
            self._put(_Failure(exc))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[tuple[float, NDArray[np.uint8]]]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item

    def stop(self) -> None:
        """Stop the background thread and wait for it (it closes the frame source itself)."""
        self._stop.set()
        self._thread.join()


class _Store:
    """Growing per-frame arrays of keypoints (doubling capacity), trimmed by :meth:`arrays`."""

    def __init__(self, n_keypoints: int, capacity: int) -> None:
        self.n = 0
        self._k = n_keypoints
        cap = max(16, capacity)
        self.position = np.full((cap, n_keypoints, 2), np.nan)
        self.confidence = np.zeros((cap, n_keypoints))
        self.time_s = np.zeros(cap)
        self.world: FloatArray | None = None

    def add(self, time_s: float, frame: PoseFrame, scale: FloatArray) -> None:
        if self.n and not time_s > self.time_s[self.n - 1]:
            raise InputError(f"frame timestamps must increase; frame {self.n} is at {time_s:.4f} s after "
                             f"{self.time_s[self.n - 1]:.4f} s")
        if frame.position.shape != (self._k, 2):
            raise InputError(f"the pose backend returned {frame.position.shape[0]} keypoints; expected "
                             f"{self._k}")
        if self.n == len(self.time_s):
            self._grow()
        if frame.world is not None and self.world is None:
            self.world = np.full((len(self.time_s), self._k, 3), np.nan)
        self.position[self.n] = frame.position * scale
        self.confidence[self.n] = frame.confidence
        self.time_s[self.n] = time_s
        if self.world is not None and frame.world is not None:
            self.world[self.n] = frame.world
        self.n += 1

    def _grow(self) -> None:
        self.position = np.concatenate([self.position, np.full_like(self.position, np.nan)])
        self.confidence = np.concatenate([self.confidence, np.zeros_like(self.confidence)])
        self.time_s = np.concatenate([self.time_s, np.zeros_like(self.time_s)])
        if self.world is not None:
            self.world = np.concatenate([self.world, np.full_like(self.world, np.nan)])

    def arrays(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray | None]:
        """Return the filled part: views when it is most of the buffer, else trimmed copies."""
        n = self.n

        def trim(array: FloatArray) -> FloatArray:
            return array[:n] if 4 * n >= 3 * len(array) else array[:n].copy()

        world = None if self.world is None else trim(self.world)
        return trim(self.position), trim(self.confidence), trim(self.time_s), world


class _Progress:
    def __init__(self, callback: ProgressCallback | None, total: int | None) -> None:
        self._callback = callback
        self._total = int(total or 0)
        self._every = float(value(_SETTINGS, "progress_interval_s"))
        self._last = -float("inf")

    def update(self, done: int, *, final: bool = False) -> None:
        if self._callback is None:
            return
        now = time.perf_counter()
        if final or now - self._last >= self._every:
            self._last = now
            self._callback(done, self._total)


def _setting(key: str, given: Any) -> Any:
    return value(_SETTINGS, key) if given is None else given


def estimate_pose_frames(frames: Iterable[Frame], *, backend: PoseBackend, width: int, height: int,
                         progress: ProgressCallback | None = None, total: int | None = None,
                         max_side_px: int | None = None, max_frames: int | None = None,
                         require_person: bool = True, frame_hook: FrameHook | None = None) -> PoseSeries:
    """Run ``backend`` on frames from any source (a video, pre-decoded frames, a live camera).

    Parameters
    ----------
    frames
        BGR frames in time order with strictly increasing timestamps; iterated in a background
        thread (which closes it, if it has ``close``, when done or stopped).
    backend
        The pose estimator; not closed here.
    width, height
        Size of the full frames; positions are returned in these pixel coordinates.
    progress
        Called as ``progress(done, total)`` at most every ``progress_interval_s`` and at the end.
    total
        Expected number of frames, for ``progress`` (None when unknown).
    max_side_px
        Working size: frames whose longer side exceeds it are downscaled before inference.  ``None``
        uses ``working_max_side_px`` from ``pose.yaml``; 0 keeps full frames.
    max_frames
        Stop after this many frames (None: all).
    require_person
        Raise :class:`CaptureError` when nobody is found in any frame.
    frame_hook
        Called in the decode thread with each frame before it is prepared (see :data:`FrameHook`).

    Returns
    -------
    PoseSeries
        Keypoints of the followed person; ``meta`` records the backend, frames without a person and
        the working size.

    Raises
    ------
    InputError
        If decoding fails, timestamps do not increase, or no frame arrives.
    CaptureError
        If ``require_person`` and nobody is found.
    """
    side = int(_setting("working_max_side_px", max_side_px))
    expected = total if max_frames is None or total is None else min(total, max_frames)
    store = _Store(len(backend.keypoints), expected or 0)
    report = _Progress(progress, expected)
    work_size: tuple[int, int] | None = None
    started = time.perf_counter()
    prefetch = _Prefetch(frames, side or None, int(value(_SETTINGS, "decode_queue_frames")), frame_hook)
    try:
        for time_s, rgb in prefetch:
            scale = np.array([width / rgb.shape[1], height / rgb.shape[0]])
            work_size = work_size or (int(rgb.shape[1]), int(rgb.shape[0]))
            store.add(time_s, backend.process(rgb), scale)
            report.update(store.n)
            if max_frames is not None and store.n >= max_frames:
                break
    finally:
        prefetch.stop()
    elapsed = time.perf_counter() - started
    report.update(store.n, final=True)
    if store.n == 0:
        raise InputError("no frame reached the pose model; the video holds no decodable frame")
    return _series(store, backend, width, height, elapsed, work_size, require_person)


def _series(store: _Store, backend: PoseBackend, width: int, height: int, elapsed: float,
            work_size: tuple[int, int] | None, require_person: bool) -> PoseSeries:
    position, confidence, time_s, world = store.arrays()
    detected = np.any(np.isfinite(position[..., 0]), axis=1)
    if require_person and not detected.any():
        raise CaptureError(f"no person was found in any of the {store.n} frames. Film the whole body, head "
                           "to feet, in good light, with the camera still and the person facing it; then try "
                           "again.")
    provenance = backend.provenance()
    meta: dict[str, Any] = {
        **provenance,
        "frames": int(store.n),
        "frames_without_person": int(np.count_nonzero(~detected)),
        "working_size": list(work_size) if work_size else None,
        "processing_s": round(elapsed, 3),
        "processing_fps": round(store.n / elapsed, 2) if elapsed > 0 else None,
    }
    source = str(provenance.get("source", backend.name))
    return PoseSeries(position=position, confidence=confidence, time_s=time_s,
                      keypoints=tuple(backend.keypoints), width=width, height=height, source=source,
                      world=world, meta=meta)


def estimate_pose(path: str | Path, *, backend: PoseBackend | None = None,
                  progress: ProgressCallback | None = None, max_side_px: int | None = None,
                  max_duration_s: float | None = None, max_frames: int | None = None, strict: bool = False,
                  require_person: bool = True, target_fps: float | None = None,
                  frame_hook: FrameHook | None = None) -> PoseSeries:
    """Estimate the pose of the person in a video file, frame by frame.

    Parameters
    ----------
    path
        The video file (anything OpenCV/FFmpeg decodes; rotation metadata is applied).
    backend
        The pose estimator; ``None`` creates (and afterwards closes) BlazePose full with the
        settings of ``pose.yaml``.  A given backend is left open.
    progress
        ``progress(done_frames, total_frames)`` callback, e.g. to drive a Rich progress bar.
    max_side_px
        Working size for the model (see :func:`estimate_pose_frames`).
    max_duration_s
        Longest accepted video; ``None`` uses ``video.yaml`` (10 minutes).
    max_frames
        Process only the first frames (tests, previews).
    strict
        Refuse a truncated file instead of analysing the frames before the damage.
    require_person
        Raise :class:`CaptureError` when nobody is found.
    target_fps
        Analysis frame rate: only every k-th frame reaches the decoder's colour conversion and the
        model (k from :func:`kneeline.io.video.frame_step`, so the rate stays at or above this);
        ``None`` or 0 analyses every frame.  Timestamps stay those of the frames analysed.
    frame_hook
        Called in the decode thread with each frame analysed (see :data:`FrameHook`).

    Returns
    -------
    PoseSeries
        Positions in pixels of the upright video frames.  ``meta`` holds the backend's provenance
        (name, model_complexity, mediapipe_version...), ``frames_without_person``, ``video`` (what
        the container says), ``decode`` (frames decoded, ``truncated`` and its message,
        repaired timestamps) and ``frame_step`` (1 = every frame analysed, 2 = every other...).

    Raises
    ------
    InputError
        If the file is unusable (missing, empty, not a video, too long, too large, truncated with
        ``strict``...).
    CaptureError
        If nobody is found and ``require_person``.
    """
    with open_video(path, max_duration_s=max_duration_s, strict=strict) as reader:
        info = reader.info
        reader.step = step = frame_step(info.fps, target_fps)
        owned = backend is None
        if backend is None:
            from kneeline.pose.mediapipe_backend import MediaPipePose

            backend = MediaPipePose()
        try:
            series = estimate_pose_frames(reader, backend=backend, width=info.width, height=info.height,
                                          progress=progress, total=-(-info.frame_count // step) or None,
                                          max_side_px=max_side_px, max_frames=max_frames,
                                          require_person=require_person, frame_hook=frame_hook)
        finally:
            if owned:
                backend.close()
        summary = reader.summary()
    video = {"path": str(info.path), "width": info.width, "height": info.height, "fps": info.fps,
             "frame_count": info.frame_count, "duration_s": info.duration_s,
             "rotation_deg": info.rotation_deg, "codec": info.codec}
    decode = {**asdict(summary), "message": summary.message()}
    return series.with_arrays(meta={**series.meta, "video": video, "decode": decode, "frame_step": step})
