"""Per-frame kinematics of one video: the rows of ``frames.csv``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kneeline.pose.container import FloatArray

__all__ = ["KinematicsTable", "COLUMNS"]

COLUMNS: tuple[str, ...] = (
    "time_s", "fppa_left_deg", "fppa_right_deg", "pelvic_obliquity_deg", "trunk_lean_deg", "depth",
    "yaw_deg", "confidence",
)
"""Column order of ``frames.csv`` (``rep`` and ``phase`` are appended by the writer)."""


@dataclass(frozen=True, eq=False)
class KinematicsTable:
    """Per-frame angles in degrees (NaN where unknown), all arrays of shape ``(time,)``.

    Attributes
    ----------
    time_s
        Frame timestamps.
    fppa_left_deg, fppa_right_deg
        Knee frontal-plane projection angle, positive = valgus.
    pelvic_obliquity_deg
        Positive = the person's left hip higher than the right.
    trunk_lean_deg
        Lateral trunk lean against vertical, positive = toward the person's left.
    depth
        Hip descent below standing as a fraction of leg length (0 standing, ~0.3 deep).
    yaw_deg
        Estimated body yaw to the camera, 0 = facing it, 90 = side-on.
    confidence
        Mean confidence of the lower-body keypoints.
    """

    time_s: FloatArray
    fppa_left_deg: FloatArray
    fppa_right_deg: FloatArray
    pelvic_obliquity_deg: FloatArray
    trunk_lean_deg: FloatArray
    depth: FloatArray
    yaw_deg: FloatArray
    confidence: FloatArray

    def __post_init__(self) -> None:
        n = np.asarray(self.time_s).shape[0]
        for name in COLUMNS:
            arr = np.asarray(getattr(self, name), dtype=np.float64)
            if arr.shape != (n,):
                raise ValueError(f"kinematics column {name} must have shape ({n},); got {arr.shape}")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    def column(self, name: str) -> FloatArray:
        """Return column ``name`` (one of :data:`COLUMNS`)."""
        if name not in COLUMNS:
            raise KeyError(f"unknown kinematics column {name!r}; expected one of {COLUMNS}")
        arr: FloatArray = getattr(self, name)
        return arr
