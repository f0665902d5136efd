"""The pose-estimator interface: anything that turns one RGB image into keypoints.

kneeline runs BlazePose (:mod:`kneeline.pose.mediapipe_backend`), but the runner only relies on
this small protocol, so another estimator — or keypoints computed elsewhere and replayed frame by
frame (:class:`SeriesBackend`) — plugs in unchanged.

Contract of :meth:`PoseBackend.process`
---------------------------------------
- input: an RGB ``uint8`` image ``(height, width, 3)``; the backend must not modify it;
- output: a :class:`PoseFrame` in pixel coordinates **of that image** (the runner rescales them
  when it gave the backend a downscaled frame);
- a frame with nobody in it gives :meth:`PoseFrame.empty`: positions NaN, confidence 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from kneeline.errors import InputError
from kneeline.pose.container import FloatArray, PoseSeries

__all__ = ["PoseFrame", "PoseBackend", "SeriesBackend", "PersonDetection", "PersonDetector"]


@dataclass(frozen=True, eq=False)
class PoseFrame:
    """Keypoints of one person in one image.

    Attributes
    ----------
    position
        ``(keypoint, 2)`` pixel coordinates in the processed image, NaN where missing.
    confidence
        ``(keypoint,)`` scores in [0, 1], 0 where missing.
    world
        Optional ``(keypoint, 3)`` metric coordinates (camera-aligned, origin mid-hip; see
        :mod:`kneeline.pose.container`), NaN where missing.
    """

    position: FloatArray
    confidence: FloatArray
    world: FloatArray | None = None

    def __post_init__(self) -> None:
        pos = np.asarray(self.position, dtype=np.float64)
        conf = np.asarray(self.confidence, dtype=np.float64)
        if pos.ndim != 2 or pos.shape[1] != 2:
            raise InputError(f"pose frame position must have shape (keypoint, 2); got {pos.shape}")
        if conf.shape != pos.shape[:1]:
            raise InputError(f"pose frame confidence must have shape {pos.shape[:1]}; got {conf.shape}")
        object.__setattr__(self, "position", pos)
        object.__setattr__(self, "confidence", conf)
        if self.world is not None:
            world = np.asarray(self.world, dtype=np.float64)
            if world.shape != (pos.shape[0], 3):
                raise InputError(f"pose frame world must have shape ({pos.shape[0]}, 3); got {world.shape}")
            object.__setattr__(self, "world", world)

    @classmethod
    def empty(cls, n_keypoints: int, *, with_world: bool = False) -> PoseFrame:
        """Return the frame of an image with nobody in it (NaN positions, zero confidence)."""
        world = np.full((n_keypoints, 3), np.nan) if with_world else None
        return cls(position=np.full((n_keypoints, 2), np.nan), confidence=np.zeros(n_keypoints), world=world)

    @property
    def detected(self) -> bool:
        """True when any keypoint was found."""
        return bool(np.any(np.isfinite(self.position[:, 0])))


@runtime_checkable
class PoseBackend(Protocol):
    """What the pose runner needs from an estimator.

    Attributes
    ----------
    name
        Short identifier recorded in provenance, e.g. ``"mediapipe-blazepose"``.
    keypoints
        Names of the keypoints :meth:`process` returns, in order.
    """

    name: str
    keypoints: tuple[str, ...]

    def process(self, image_rgb: NDArray[np.uint8]) -> PoseFrame:
        """Estimate the pose in one RGB image (frames are given in time order)."""
        ...

    def provenance(self) -> dict[str, Any]:
        """Return the model, version and settings, for :attr:`PoseSeries.meta`."""
        ...

    def close(self) -> None:
        """Release the model (safe to call twice)."""
        ...

    def __enter__(self) -> PoseBackend:
        ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        ...


@dataclass(frozen=True)
class PersonDetection:
    """One person found by a multi-person detector.

    Attributes
    ----------
    score
        Detector confidence in [0, 1].
    centre_x, centre_y
        Hip centre in pixels of the processed image.
    radius
        Radius in pixels of a circle around the whole body, centred on the hips (about half the
        body height).
    """

    score: float
    centre_x: float
    centre_y: float
    radius: float


@runtime_checkable
class PersonDetector(Protocol):
    """Finds every person in an image (used to count people; the pose backend follows one)."""

    name: str

    def detect(self, image_rgb: NDArray[np.uint8]) -> list[PersonDetection]:
        """Return the people found in one RGB image, best first."""
        ...

    def close(self) -> None:
        """Release the model (safe to call twice)."""
        ...


class SeriesBackend:
    """Replay an existing :class:`PoseSeries` one frame per call (keypoints computed elsewhere).

    Useful to run the video-side machinery (runner, people checks, annotated video) with keypoints
    loaded from a file.  Positions are rescaled from the series' frame size to the processed image.

    Parameters
    ----------
    series
        The keypoints to replay; frame ``i`` is returned by the ``i``-th call of :meth:`process`.
    """

    def __init__(self, series: PoseSeries) -> None:
        self.series = series
        self.name = f"replay:{series.source}"
        self.keypoints = series.keypoints
        self._next = 0

    def process(self, image_rgb: NDArray[np.uint8]) -> PoseFrame:
        """Return the next frame of the series, scaled to ``image_rgb``'s size.

        Raises
        ------
        InputError
            When called more often than the series has frames.
        """
        i = self._next
        if i >= self.series.n_frames:
            raise InputError(f"the replayed keypoints have {self.series.n_frames} frames but the video has "
                             "more; give keypoints for every video frame")
        self._next += 1
        return self._frame(i, image_rgb)

    def _frame(self, i: int, image_rgb: NDArray[np.uint8]) -> PoseFrame:
        """Frame ``i`` of the series, positions scaled to ``image_rgb``'s size."""
        height, width = image_rgb.shape[:2]
        scale = np.array([width / self.series.width, height / self.series.height])
        world = None if self.series.world is None else self.series.world[i]
        return PoseFrame(position=self.series.position[i] * scale, confidence=self.series.confidence[i],
                         world=world)

    def provenance(self) -> dict[str, Any]:
        """Return where the replayed keypoints came from."""
        return {"backend": self.name, "replayed_source": self.series.source}

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> SeriesBackend:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
