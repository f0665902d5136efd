"""The one pose container of kneeline: :class:`PoseSeries`.

A pose series is built only at the io boundary (pose backend, keypoint file loader) and validated
once there.  Every later stage takes a ``PoseSeries`` and returns a new one (or plain arrays); none
modifies its input.

Conventions
-----------
- ``position``: image pixels of the displayed (rotation-corrected) frame, ``x`` to the right,
  ``y`` downwards; shape ``(time, keypoint, 2)``; NaN where the keypoint is missing.
- ``confidence``: per-keypoint score in [0, 1], shape ``(time, keypoint)``; 0 where missing.
- ``world`` (optional): metric 3D coordinates, shape ``(time, keypoint, 3)``, axes aligned with the
  camera (``x`` right, ``y`` down, ``z`` away from the camera), origin at the mid-hip.  BlazePose
  gives these; a keypoint file may too.
- ``time_s``: frame timestamps in seconds, strictly increasing (variable frame rate allowed).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kneeline.errors import InputError

FloatArray = NDArray[np.float64]

__all__ = ["PoseSeries", "FloatArray"]


@dataclass(frozen=True, eq=False)
class PoseSeries:
    """Keypoints of one person over time.

    Parameters
    ----------
    position
        ``(time, keypoint, 2)`` pixel coordinates, NaN where missing.
    confidence
        ``(time, keypoint)`` scores in [0, 1].
    time_s
        ``(time,)`` strictly increasing timestamps in seconds.
    keypoints
        Names of the keypoints, in the order of the keypoint axis.
    width, height
        Size in pixels of the frames the positions refer to.
    source
        What produced the keypoints (e.g. ``"mediapipe-0.10.21 blazepose full"``).
    world
        Optional ``(time, keypoint, 3)`` metric coordinates (see module docstring).
    meta
        Free-form provenance (backend settings, file names).
    """

    position: FloatArray
    confidence: FloatArray
    time_s: FloatArray
    keypoints: tuple[str, ...]
    width: int
    height: int
    source: str
    world: FloatArray | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        pos = np.asarray(self.position, dtype=np.float64)
        conf = np.asarray(self.confidence, dtype=np.float64)
        t = np.asarray(self.time_s, dtype=np.float64)
        n_k = len(self.keypoints)
        if pos.ndim != 3 or pos.shape[1:] != (n_k, 2):
            raise InputError(f"pose position must have shape (time, {n_k}, 2); got {pos.shape}")
        if conf.shape != pos.shape[:2]:
            raise InputError(f"pose confidence must have shape {pos.shape[:2]}; got {conf.shape}")
        if t.shape != (pos.shape[0],):
            raise InputError(f"pose time_s must have shape ({pos.shape[0]},); got {t.shape}")
        if t.size > 1 and not np.all(np.diff(t) > 0):
            raise InputError("pose timestamps must be strictly increasing")
        if len(set(self.keypoints)) != n_k:
            raise InputError(f"pose keypoint names must be unique; got {self.keypoints}")
        if self.width <= 0 or self.height <= 0:
            raise InputError(f"frame size must be positive; got {self.width}x{self.height}")
        if np.any((conf < 0) | (conf > 1)):
            raise InputError("pose confidence must lie in [0, 1]")
        world = None
        if self.world is not None:
            world = np.asarray(self.world, dtype=np.float64)
            if world.shape != (pos.shape[0], n_k, 3):
                raise InputError(f"pose world must have shape ({pos.shape[0]}, {n_k}, 3); got {world.shape}")
            world.setflags(write=False)
        for arr in (pos, conf, t):
            arr.setflags(write=False)
        object.__setattr__(self, "position", pos)
        object.__setattr__(self, "confidence", conf)
        object.__setattr__(self, "time_s", t)
        object.__setattr__(self, "world", world)

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.position.shape[0])

    @property
    def fps(self) -> float:
        """Mean frame rate from the timestamps (0 for fewer than two frames)."""
        if self.n_frames < 2:
            return 0.0
        return float((self.n_frames - 1) / (self.time_s[-1] - self.time_s[0]))

    def index(self, name: str) -> int:
        """Return the keypoint axis index of ``name``.

        Raises
        ------
        InputError
            If the keypoint is not in this series.
        """
        try:
            return self.keypoints.index(name)
        except ValueError as exc:
            raise InputError(f"keypoint {name!r} is not in this pose series "
                             f"(has: {', '.join(self.keypoints)})") from exc

    def xy(self, name: str) -> FloatArray:
        """Return the ``(time, 2)`` pixel positions of keypoint ``name`` (a read-only view)."""
        return self.position[:, self.index(name), :]

    def conf(self, name: str) -> FloatArray:
        """Return the ``(time,)`` confidence of keypoint ``name``."""
        return self.confidence[:, self.index(name)]

    def world_xyz(self, name: str) -> FloatArray | None:
        """Return the ``(time, 3)`` world coordinates of ``name``, or None without world data."""
        if self.world is None:
            return None
        return self.world[:, self.index(name), :]

    def detected(self) -> NDArray[np.bool_]:
        """Return a ``(time,)`` mask of frames in which any keypoint was found."""
        return np.any(np.isfinite(self.position[..., 0]), axis=1)

    def with_arrays(self, **changes: Any) -> PoseSeries:
        """Return a copy with some fields replaced (validated again)."""
        return replace(self, **changes)

    def slice(self, start: int, stop: int) -> PoseSeries:
        """Return frames ``start:stop`` as a new series."""
        world = None if self.world is None else self.world[start:stop]
        return replace(self, position=self.position[start:stop], confidence=self.confidence[start:stop],
                       time_s=self.time_s[start:stop], world=world)
