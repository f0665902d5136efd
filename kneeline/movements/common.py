"""What the movement tests share: per-frame signals and reading values at an instant."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kneeline.kinematics.angles import Leg, leg_length_px
from kneeline.kinematics.table import KinematicsTable
from kneeline.pose.container import FloatArray, PoseSeries

__all__ = ["Signals", "make_signals", "at", "round_or_none", "stance_from_feet"]


@dataclass(frozen=True, eq=False)
class Signals:
    """Per-frame signals a movement test reads.

    Attributes
    ----------
    table
        The kinematics table (angles, depth, yaw).
    foot_height_diff
        ``(time,)`` right-ankle height minus left-ankle height as a fraction of leg length, from
        image ``y`` (positive = the right foot is higher, i.e. the left foot stands).
    frontal_ok
        False when frontal-plane numbers must be withheld (view not frontal enough).
    """

    table: KinematicsTable
    foot_height_diff: FloatArray
    frontal_ok: bool


def make_signals(pose: PoseSeries, table: KinematicsTable, frontal_ok: bool) -> Signals:
    """Derive :class:`Signals` from a cleaned pose and its kinematics table."""
    length = leg_length_px(pose)
    left_y = pose.xy("left_ankle")[:, 1]
    right_y = pose.xy("right_ankle")[:, 1]
    diff = (left_y - right_y) / length if np.isfinite(length) and length > 0 else np.full(pose.n_frames, np.nan)
    return Signals(table=table, foot_height_diff=np.asarray(diff, dtype=np.float64), frontal_ok=frontal_ok)


def round_or_none(x: float, digits: int = 2) -> float | None:
    """Round a finite number; NaN and infinities become None (JSON null)."""
    return round(float(x), digits) if np.isfinite(x) else None


def at(values: FloatArray, index: int) -> float | None:
    """Value of a per-frame signal at ``index``, or None when missing."""
    return round_or_none(float(values[index]))


def stance_from_feet(foot_height_diff: FloatArray, start: int, end: int, threshold: float) -> Leg | None:
    """Return the stance leg over frames ``start..end`` (the lower foot), or None if both are down.

    The median height difference over the window must exceed ``threshold`` (fraction of leg
    length) for one foot to count as lifted.
    """
    window = foot_height_diff[start:end + 1]
    window = window[np.isfinite(window)]
    if window.size == 0:
        return None
    med = float(np.median(window))
    if med > threshold:
        return "left"
    if med < -threshold:
        return "right"
    return None
