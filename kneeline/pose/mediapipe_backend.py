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

from types import TracebackType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kneeline.errors import InputError
from kneeline.evidence import value
from kneeline.pose.backend import PersonDetection, PoseFrame
from kneeline.pose.skeleton import BLAZEPOSE_KEYPOINTS

__all__ = ["MediaPipePose", "MediaPipePersonDetector", "mediapipe_version"]

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


def mediapipe_version() -> str:
    """Return the installed MediaPipe version."""
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
        from mediapipe.python.solutions import pose as mp_pose

        self._pose: Any = mp_pose.Pose(
            static_image_mode=self.static_image_mode, model_complexity=self.model_complexity,
            smooth_landmarks=self.smooth_landmarks, enable_segmentation=False,
            min_detection_confidence=self.min_detection_confidence,
            min_tracking_confidence=self.min_tracking_confidence)

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
        result = self._pose.process(image)
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
        from google.protobuf import text_format
        from mediapipe.framework import calculator_pb2
        from mediapipe.python.solution_base import SolutionBase

        config = text_format.Parse(_DETECTOR_GRAPH, calculator_pb2.CalculatorGraphConfig())
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
