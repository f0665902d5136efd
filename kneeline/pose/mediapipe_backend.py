"""BlazePose through MediaPipe's legacy ``solutions.pose`` (the model ships inside the wheel).

Nothing is imported or loaded until a backend is created: ``import kneeline`` stays cheap.

Outputs, as kneeline defines them
---------------------------------
- **position**: MediaPipe's normalised ``x, y`` times the width and height of the processed image.
- **confidence**: the landmark's ``visibility`` (the model's estimate that the landmark is in view
  and not occluded).  The legacy graph leaves ``presence`` at 0 (measured with mediapipe 0.10.21),
  so it is used — as ``min(visibility, presence)`` — only when it is populated.
- **world**: ``pose_world_landmarks`` unchanged.  MediaPipe's world axes already match kneeline's
  convention (metres, origin between the hips, ``x`` to the image right, ``y`` down, ``z`` away from
  the camera) — checked on the OpenCap squat video: the left shoulder, on the image right, has
  ``x > 0``; the nose has ``y < 0``; the nose of a person facing the camera has ``z < 0``.
- **smoothing**: MediaPipe's landmark filter is off by default (``smooth_landmarks`` in
  ``kneeline/data/pose.yaml``): kneeline filters with a zero-lag filter later, and MediaPipe's
  one-euro filter lags fast movement.
"""

from __future__ import annotations

import atexit
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kneeline.errors import InputError
from kneeline.evidence import value
from kneeline.pose.backend import PersonDetection, PoseFrame
from kneeline.pose.skeleton import BLAZEPOSE_KEYPOINTS

__all__ = ["MediaPipePose", "MediaPipePersonDetector", "mediapipe_version", "quiet_native_logs",
           "native_stderr_filtered"]

_SETTINGS = "pose.yaml"
_DETECTOR_GRAPH = """
input_stream: "image"
output_stream: "detections"
node {
  calculator: "PoseDetectionCpu"
  input_stream: "IMAGE:image"
  output_stream: "DETECTIONS:detections"
}
"""


_NATIVE_NOISE = re.compile(r"^(INFO: Created TensorFlow Lite|WARNING: All log messages before absl::InitializeLog"
                           r"|[IW]\d{4} [\d:. ]+\d+ [\w.]+:\d+\] )")
"""Native info and warning lines MediaPipe prints when a graph starts (glog/absl format ``W0000 ...``)."""
_STDERR_LOCK = threading.Lock()
_QUIET_FRAMES = 3
"""Frames after which a pose graph has printed its start-up lines (measured: by the end of the second)."""


def quiet_native_logs() -> None:
    """Ask MediaPipe's native logging (glog, TensorFlow Lite) for errors only, where it reads the environment.

    Called right before MediaPipe is first imported, in the CLI, the server and its job workers alike;
    not at kneeline import time.  A value the user set is kept.  Lines printed before absl's logging
    starts ignore these variables; :func:`native_stderr_filtered` drops them.
    """
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _flush_c_streams() -> None:
    """Flush the C library's output buffers (``fflush(NULL)``), where the C library can be loaded."""
    import ctypes

    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # no C library to load (not expected on Linux or macOS)
        pass


class _NativeStderrFilter:
    """Standard error (fd 2) sent to a temporary file while any user holds it.

    On release, everything in it but MediaPipe's native start-up lines is written back.  Users nest (a
    count) and threads share it; at interpreter exit a filter still held is released, so nothing that
    was written meanwhile is lost.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved: int | None = None
        self._captured: Any = None
        self._at_exit = False

    def acquire(self) -> None:
        """Start filtering (or join the filter already running)."""
        with self._lock:
            self._users += 1
            if self._users > 1:
                return
            sys.stderr.flush()
            _flush_c_streams()
            self._captured = tempfile.TemporaryFile()
            self._saved = os.dup(2)
            os.dup2(self._captured.fileno(), 2)
            if not self._at_exit:
                atexit.register(self.release_all)
                self._at_exit = True

    def release_all(self) -> None:
        """Release the filter whoever holds it (at exit)."""
        with self._lock:
            held = self._users > 0
            self._users = min(self._users, 1)
        if held:
            self.release()

    def release(self) -> None:
        """Leave the filter; the last user restores standard error and writes back what was kept."""
        with self._lock:
            self._users -= 1
            if self._users > 0 or self._saved is None:
                return
            _flush_c_streams()
            os.dup2(self._saved, 2)
            os.close(self._saved)
            self._saved = None
            captured, self._captured = self._captured, None
        captured.seek(0)
        kept = [line for line in captured.read().decode("utf-8", "replace").splitlines(keepends=True)
                if not _NATIVE_NOISE.match(line)]
        captured.close()
        if kept:
            sys.stderr.write("".join(kept))
            sys.stderr.flush()


_FILTER = _NativeStderrFilter()


def _filtering() -> bool:
    return os.environ.get("KNEELINE_NATIVE_LOGS") != "1"


@contextmanager
def native_stderr_filtered() -> Iterator[None]:
    """While MediaPipe starts a graph, drop its native info/warning lines from standard error.

    File descriptor 2 is sent to a temporary file for the duration and everything in it that is not
    one of those lines (errors, anything else written meanwhile) is written back afterwards, also
    when starting the graph fails.  ``KNEELINE_NATIVE_LOGS=1`` shows everything.
    """
    if not _filtering():
        yield
        return
    _FILTER.acquire()
    try:
        yield
    finally:
        _FILTER.release()


def mediapipe_version() -> str:
    """Return the installed MediaPipe version."""
    quiet_native_logs()
    import mediapipe

    return str(getattr(mediapipe, "__version__", "unknown"))


def _check_rgb(image_rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    if image_rgb.ndim != 3 or image_rgb.shape[2] != 3 or image_rgb.dtype != np.uint8:
        raise InputError(f"pose models need an RGB uint8 image (height, width, 3); got {image_rgb.dtype} "
                         f"{image_rgb.shape}")
    return np.ascontiguousarray(image_rgb)


class MediaPipePose:
    """BlazePose (33 keypoints, 2D pixels + 3D world) from MediaPipe's legacy pose solution.

    Video mode (``static_image_mode=False``): the detector runs only until a person is found, then
    the landmark model tracks that person from frame to frame — so frames must come in time order,
    and only one person is followed (see :mod:`kneeline.pose.people`).

    Parameters
    ----------
    model_complexity
        Only 1 (full) is accepted: it is the one BlazePose model inside the MediaPipe wheel; for 0
        (lite) and 2 (heavy) MediaPipe downloads a model at run time, which kneeline does not allow
        (it runs offline).  ``None`` uses ``pose.yaml``.
    smooth_landmarks
        MediaPipe's own temporal filter.  ``None`` uses ``pose.yaml`` (off).
    min_detection_confidence, min_tracking_confidence
        MediaPipe thresholds; ``None`` uses ``pose.yaml``.
    static_image_mode
        Run the detector on every image (unrelated photos) instead of tracking.

    Raises
    ------
    InputError
        If a setting is out of range.
    """

    keypoints: tuple[str, ...] = BLAZEPOSE_KEYPOINTS

    def __init__(self, *, model_complexity: int | None = None, smooth_landmarks: bool | None = None,
                 min_detection_confidence: float | None = None, min_tracking_confidence: float | None = None,
                 static_image_mode: bool = False) -> None:
        self.model_complexity = int(_setting("model_complexity", model_complexity))
        self.smooth_landmarks = bool(_setting("smooth_landmarks", smooth_landmarks))
        self.min_detection_confidence = float(_setting("min_detection_confidence", min_detection_confidence))
        self.min_tracking_confidence = float(_setting("min_tracking_confidence", min_tracking_confidence))
        self.static_image_mode = bool(static_image_mode)
        if self.model_complexity != 1:
            raise InputError(f"model_complexity must be 1 (BlazePose full, the model inside the MediaPipe "
                             f"wheel); got {self.model_complexity}. The lite and heavy models would be "
                             "downloaded at run time, and kneeline works offline.")
        for label, threshold in (("min_detection_confidence", self.min_detection_confidence),
                                 ("min_tracking_confidence", self.min_tracking_confidence)):
            if not 0 <= threshold <= 1:
                raise InputError(f"{label} must lie in [0, 1]; got {threshold}")
        self.name = "mediapipe-blazepose-full"
        quiet_native_logs()
        from mediapipe.python.solutions import pose as mp_pose

        # The graph loads its models in its own threads after construction; its start-up lines come
        # any time until the first frames are through, so the filter is held until then (or close()).
        self._quiet_calls = _QUIET_FRAMES if _filtering() else 0
        if self._quiet_calls:
            _FILTER.acquire()
        try:
            self._pose: Any = mp_pose.Pose(
                static_image_mode=self.static_image_mode, model_complexity=self.model_complexity,
                smooth_landmarks=self.smooth_landmarks, enable_segmentation=False,
                min_detection_confidence=self.min_detection_confidence,
                min_tracking_confidence=self.min_tracking_confidence)
        except BaseException:
            self._end_quiet()
            raise

    def process(self, image_rgb: NDArray[np.uint8]) -> PoseFrame:
        """Estimate the pose in one RGB image (the next frame of the video).

        Parameters
        ----------
        image_rgb
            RGB ``uint8`` image ``(height, width, 3)``; not modified.

        Returns
        -------
        PoseFrame
            Pixel positions in ``image_rgb``, confidences, world coordinates; empty when nobody is
            found.
        """
        if self._pose is None:
            raise RuntimeError("this MediaPipePose was closed; create a new one")
        image = _check_rgb(image_rgb)
        try:
            result = self._pose.process(image)
        finally:
            if self._quiet_calls > 0:
                self._quiet_calls -= 1
                if self._quiet_calls == 0:
                    _FILTER.release()
        if result.pose_landmarks is None:
            return PoseFrame.empty(len(self.keypoints), with_world=True)
        height, width = image.shape[:2]
        raw = np.array([(lm.x, lm.y, lm.visibility, lm.presence) for lm in result.pose_landmarks.landmark],
                       dtype=np.float64)
        position = raw[:, :2] * np.array([width, height], dtype=np.float64)
        confidence = raw[:, 2] if not np.any(raw[:, 3] > 0) else np.minimum(raw[:, 2], raw[:, 3])
        world = None
        if result.pose_world_landmarks is not None:
            world = np.array([(lm.x, lm.y, lm.z) for lm in result.pose_world_landmarks.landmark],
                             dtype=np.float64)
        else:
            world = np.full((len(self.keypoints), 3), np.nan)
        return PoseFrame(position=position, confidence=np.clip(confidence, 0.0, 1.0), world=world)

    def provenance(self) -> dict[str, Any]:
        """Return the model, MediaPipe version and settings."""
        version = mediapipe_version()
        return {
            "source": f"mediapipe-{version} blazepose full", "backend": self.name,
            "model": "BlazePose GHUM 3D (legacy mediapipe.solutions.pose)",
            "model_complexity": self.model_complexity, "mediapipe_version": version,
            "smooth_landmarks": self.smooth_landmarks, "static_image_mode": self.static_image_mode,
            "min_detection_confidence": self.min_detection_confidence,
            "min_tracking_confidence": self.min_tracking_confidence,
            "confidence": "landmark visibility (min with presence when populated)",
        }

    def reset(self) -> None:
        """Forget the person tracked so far, before the first frame of another video.

        The loaded model stays: MediaPipe restarts its graph (a few tens of ms), where creating a
        new ``MediaPipePose`` would cost the model load again.
        """
        if self._pose is None:
            raise RuntimeError("this MediaPipePose was closed; create a new one")
        self._pose.reset()

    def close(self) -> None:
        """Release the MediaPipe graph (safe to call twice)."""
        if self._pose is not None:
            self._pose.close()
            self._pose = None
        self._end_quiet()

    def _end_quiet(self) -> None:
        """Stop filtering the start-up lines (if this estimator still does)."""
        if getattr(self, "_quiet_calls", 0) > 0:
            self._quiet_calls = 0
            _FILTER.release()

    def __enter__(self) -> MediaPipePose:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class MediaPipePersonDetector:
    """Every person in an image, from BlazePose's own person detector.

    The detector is the first stage of the pose model and by itself finds several people.  It sees
    the whole image letterboxed to 224x224 px, so people under roughly a sixth of the image height
    are missed; :func:`kneeline.pose.people.count_people` therefore also runs it on overlapping
    square tiles.  Runs the ``PoseDetectionCpu`` subgraph of the MediaPipe wheel (model inside the
    wheel, nothing downloaded).
    """

    name = "mediapipe-pose-detection"

    def __init__(self) -> None:
        quiet_native_logs()
        from google.protobuf import text_format
        from mediapipe.framework import calculator_pb2
        from mediapipe.python.solution_base import SolutionBase

        config = text_format.Parse(_DETECTOR_GRAPH, calculator_pb2.CalculatorGraphConfig())
        with native_stderr_filtered():
            self._graph: Any = SolutionBase(graph_config=config, outputs=["detections"])

    def detect(self, image_rgb: NDArray[np.uint8]) -> list[PersonDetection]:
        """Return the people found in one RGB image (hip centre and body radius in pixels).

        Parameters
        ----------
        image_rgb
            RGB ``uint8`` image; not modified.
        """
        if self._graph is None:
            raise RuntimeError("this MediaPipePersonDetector was closed; create a new one")
        image = _check_rgb(image_rgb)
        height, width = image.shape[:2]
        with native_stderr_filtered():
            result = self._graph.process({"image": image})
        found = []
        for detection in result.detections or []:
            points = detection.location_data.relative_keypoints
            if len(points) < 2 or not detection.score:
                continue
            cx, cy = points[0].x * width, points[0].y * height
            radius = float(np.hypot(points[1].x * width - cx, points[1].y * height - cy))
            found.append(PersonDetection(score=float(detection.score[0]), centre_x=float(cx),
                                         centre_y=float(cy), radius=radius))
        return sorted(found, key=lambda d: -d.score)

    def close(self) -> None:
        """Release the MediaPipe graph (safe to call twice)."""
        if self._graph is not None:
            self._graph.close()
            self._graph = None

    def __enter__(self) -> MediaPipePersonDetector:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _setting(key: str, given: Any) -> Any:
    return value(_SETTINGS, key) if given is None else given
