"""What the movement tests share: per-frame signals and reading values at an instant."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kneeline.kinematics.angles import Leg, leg_length_px
from kneeline.kinematics.table import KinematicsTable
from kneeline.pose.container import FloatArray, PoseSeries

__all__ = ["Signals", "make_signals", "at", "round_or_none", "stance_from_feet", "lifted_masks"]


@dataclass(frozen=True, eq=False)
class Signals:
    """Per-frame signals a movement test reads.

    Attributes
    ----------
    table
        The kinematics table (angles, depth, yaw).
    foot_lift_left, foot_lift_right
        ``(time,)`` height of each ankle above its own floor level (its lowest position in the
        video) as a fraction of leg length.  Each foot is compared with itself, not with the other
        foot: in an oblique view the farther foot appears higher in the image while both stand.
    pelvis_ok
        False when the capture gate withheld pelvic and trunk angles for the whole video.

    Notes
    -----
    ``table`` is the table *as shown* (:func:`kneeline.capture.shown.shown_table`): a value the
    capture gate withholds is NaN in it, so reading it gives None.
    """

    table: KinematicsTable
    foot_lift_left: FloatArray
    foot_lift_right: FloatArray
    pelvis_ok: bool = True

    def fppa_at(self, side: Leg, index: int) -> float | None:
        """FPPA of ``side`` at frame ``index``, or None where it is withheld or missing."""
        return at(self.table.fppa_left_deg if side == "left" else self.table.fppa_right_deg, index)

    def pelvis_at(self, values: FloatArray, index: int) -> float | None:
        """A pelvis or trunk signal at ``index``, or None where withheld or missing."""
        return at(values, index)


def _foot_lift(pose: PoseSeries, side: Leg, length: float) -> FloatArray:
    y = pose.xy(f"{side}_ankle")[:, 1]
    finite = y[np.isfinite(y)]
    if finite.size == 0 or not np.isfinite(length) or length <= 0:
        return np.full(pose.n_frames, np.nan)
    floor = float(np.percentile(finite, 98))  # image y grows downwards: the lowest positions
    out: FloatArray = (floor - y) / length
    return out


def make_signals(pose: PoseSeries, table: KinematicsTable, *, pelvis_ok: bool = True) -> Signals:
    """Derive :class:`Signals` from a cleaned pose and its kinematics table as shown."""
    length = leg_length_px(pose)
    return Signals(table=table, foot_lift_left=_foot_lift(pose, "left", length),
                   foot_lift_right=_foot_lift(pose, "right", length), pelvis_ok=pelvis_ok)


def round_or_none(x: float, digits: int = 2) -> float | None:
    """Round a finite number; NaN and infinities become None (JSON null)."""
    return round(float(x), digits) if np.isfinite(x) else None


def at(values: FloatArray, index: int) -> float | None:
    """Value of a per-frame signal at ``index``, or None when missing."""
    return round_or_none(float(values[index]))


def lifted_masks(signals: Signals, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame masks ``(left stance, right stance)``: one foot lifted above ``threshold``, the other down."""
    with np.errstate(invalid="ignore"):
        left_up = signals.foot_lift_left > threshold
        right_up = signals.foot_lift_right > threshold
    return np.asarray(right_up & ~left_up), np.asarray(left_up & ~right_up)


def stance_from_feet(signals: Signals, start: int, end: int, threshold: float) -> Leg | None:
    """Return the stance leg over frames ``start..end``, or None if both feet stayed down (or both up).

    A foot counts as lifted when its median height above its own floor level over the window
    exceeds ``threshold`` (fraction of leg length).
    """
    lifts = []
    for values in (signals.foot_lift_left, signals.foot_lift_right):
        window = values[start:end + 1]
        window = window[np.isfinite(window)]
        lifts.append(float(np.median(window)) if window.size else float("nan"))
    left_up, right_up = (bool(v > threshold) for v in lifts)
    if right_up and not left_up:
        return "left"
    if left_up and not right_up:
        return "right"
    return None
