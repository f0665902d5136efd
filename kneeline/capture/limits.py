"""Measured limits of the pelvis and trunk angles: per view and knee flexion, and their expected error.

The numbers live in ``capture.yaml`` (``*_yaw_limits_deg``, ``*_view_mae_deg``, ``*_pose_mae_deg``),
measured by ``benchmarks/pelvis_limits.py``: the view error from motion capture filmed by virtual
cameras, the pose model's error from real video against reference markers.
"""

from __future__ import annotations

import numpy as np

from kneeline.evidence import value

__all__ = ["FLEXION_BANDS", "flexion_band", "yaw_limits", "expected_error"]

FLEXION_BANDS: tuple[tuple[float, float], ...] = ((0.0, 30.0), (30.0, 60.0), (60.0, 90.0), (90.0, 180.0))
"""Knee flexion bands (deg) of the pelvis and trunk limits."""


def flexion_band(flexion_deg: float) -> int:
    """Index into :data:`FLEXION_BANDS` of a knee flexion; unknown (NaN) counts as the deepest band."""
    if not np.isfinite(flexion_deg):
        return len(FLEXION_BANDS) - 1
    for i, (_, hi) in enumerate(FLEXION_BANDS):
        if flexion_deg < hi:
            return i
    return len(FLEXION_BANDS) - 1


_PREFIX = {"pelvic_obliquity_deg": "pelvic_obliquity", "trunk_lean_deg": "trunk_lean"}


def yaw_limits(column: str) -> list[float | None]:
    """The largest view (deg) at which ``column`` is shown, per knee-flexion band (None: never)."""
    limits = value("capture.yaml", f"{_PREFIX[column]}_yaw_limits_deg")
    return [None if float(v) < 0 else float(v) for v in limits]


def expected_error(column: str, yaw_deg: float, flexion_deg: float) -> float | None:
    """Expected absolute error (deg) of a pelvis or trunk value at this view and knee flexion.

    The view error (motion capture through virtual cameras, interpolated in yaw) plus the pose
    model's error against reference markers, both from ``capture.yaml`` (measured by
    ``benchmarks/pelvis_limits.py``).  None for a column without such a table.
    """
    if column not in _PREFIX or not np.isfinite(yaw_deg):
        return None
    band = flexion_band(flexion_deg)
    yaws = np.asarray(value("capture.yaml", "pelvis_error_yaws_deg"), dtype=np.float64)
    view = np.asarray([row[band] for row in value("capture.yaml", f"{_PREFIX[column]}_view_mae_deg")])
    pose = float(value("capture.yaml", f"{_PREFIX[column]}_pose_mae_deg")[band])
    return float(np.interp(abs(yaw_deg), yaws, view.astype(np.float64)) + pose)
