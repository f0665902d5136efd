"""Per-frame kinematics of a cleaned pose series."""

from __future__ import annotations

import warnings

import numpy as np

from kneeline.capture.view import estimate_view
from kneeline.kinematics.angles import depth, fppa, pelvic_obliquity, trunk_lean
from kneeline.kinematics.table import KinematicsTable
from kneeline.pose.container import PoseSeries
from kneeline.pose.skeleton import LOWER_BODY

__all__ = ["compute_kinematics", "lower_body_confidence"]


def lower_body_confidence(pose: PoseSeries) -> np.ndarray:
    """Per-frame mean confidence of the shoulders, hips, knees and ankles."""
    idx = [pose.index(k) for k in LOWER_BODY]
    return np.asarray(pose.confidence[:, idx].mean(axis=1))


def compute_kinematics(pose: PoseSeries, *, confidence: np.ndarray | None = None) -> KinematicsTable:
    """Compute every per-frame angle of :class:`KinematicsTable` from a cleaned pose.

    Parameters
    ----------
    pose
        Cleaned pose series (masked, gap-filled, filtered).
    confidence
        Per-frame confidence to report; defaults to the lower-body mean of ``pose``.  Pass the
        raw series' value, since cleaning keeps interpolated points at their original scores.
    """
    conf = lower_body_confidence(pose) if confidence is None else np.asarray(confidence, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NaN frames propagate as NaN
        return KinematicsTable(
            time_s=pose.time_s,
            fppa_left_deg=fppa(pose, "left"),
            fppa_right_deg=fppa(pose, "right"),
            pelvic_obliquity_deg=pelvic_obliquity(pose),
            trunk_lean_deg=trunk_lean(pose),
            depth=depth(pose),
            yaw_deg=estimate_view(pose).per_frame_deg,
            confidence=conf,
        )
