"""Per-frame features of a coached movement, from 2D keypoints only.

The same functions serve a whole video (arrays of shape ``(time,)``) and a live stream (one frame at
a time, shape ``(1,)``), so offline and live coaching see the same numbers.  Angles use kneeline's
2D angle functions (:mod:`kneeline.kinematics.angles`).  Lengths are in pixels here; the event
tracker divides them by a running body scale (``leg_len`` or ``thigh_len``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np

from kneeline.kinematics.angles import fppa_points, pelvic_obliquity_points, trunk_lean_points
from kneeline.pose.container import FloatArray, PoseSeries

__all__ = ["KEYPOINTS", "Features", "compute_features", "features_from_pose", "SIGNAL_SCALE", "signal_values",
           "angle_at"]

KEYPOINTS: tuple[str, ...] = (
    "left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle",
)
"""The keypoints coaching reads (BlazePose names)."""

Features = dict[str, FloatArray]
"""Feature name -> ``(time,)`` values (NaN where a keypoint is missing)."""

SIGNAL_SCALE: dict[str, str | None] = {
    "hip_descent": "leg_len", "knee_opening": "thigh_len", "leg_spread": None, "hip_extension": None,
    "pelvis_tilt": None, "foot_lift": "leg_len", "body_line": None, "knee_flexion": None,
}
"""Signal -> the body length it is divided by (None: an angle, used as it is)."""

_RAW: dict[str, str] = {
    "hip_descent": "hip_y", "knee_opening": "knee_gap", "leg_spread": "leg_spread_deg",
    "hip_extension": "hip_angle_deg", "pelvis_tilt": "obliquity_deg", "foot_lift": "ankle_dy",
    "body_line": "body_line_deg", "knee_flexion": "knee_flexion_deg",
}


def angle_at(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Angle ``a-b-c`` at ``b`` in degrees (180 = straight), for points of shape ``(..., 2)``."""
    u, v = a - b, c - b
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    out: FloatArray = np.degrees(np.abs(np.arctan2(cross, np.sum(u * v, axis=-1))))
    return out


def _dist(a: FloatArray, b: FloatArray) -> FloatArray:
    out: FloatArray = np.linalg.norm(a - b, axis=-1)
    return out


def _mean2(a: FloatArray, b: FloatArray) -> FloatArray:
    """Mean of two per-frame values where both exist, else the one that does."""
    stacked = np.stack([a, b])
    out: FloatArray = np.where(np.isfinite(stacked).any(axis=0), np.nanmean(stacked, axis=0), np.nan)
    return out


def compute_features(points: Mapping[str, FloatArray]) -> Features:
    """Compute every coaching feature from keypoint positions.

    Parameters
    ----------
    points
        Keypoint name -> ``(time, 2)`` pixel positions (image ``y`` down), for at least
        :data:`KEYPOINTS`; NaN where missing.

    Returns
    -------
    Features
        ``leg_len``, ``thigh_len`` (px), per-side ``{left,right}_thigh_len`` and
        ``{left,right}_shank_len`` (px), ``hip_y``/``hip_x`` (mid-hip image position, px),
        ``{left,right}_knee_deg`` (hip-knee-ankle angle in the picture, 180 straight),
        ``knee_flexion_deg`` (180 minus their mean: knee bend seen from the side), ``knee_gap`` (px),
        ``leg_spread_deg`` (angle between the hip->ankle lines), ``hip_angle_deg``
        (shoulder-hip-knee, mean of sides), ``body_line_deg`` (shoulder-hip-ankle, mean of sides),
        ``obliquity_deg``, ``ankle_dy`` (ankle height difference, px), ``trunk_tilt_deg`` (trunk
        from vertical, 0 upright, 90 lying), ``trunk_lean_deg`` (lateral, frontal view),
        ``fppa_left_deg``/``fppa_right_deg``, ``knee_width_ratio``, ``width_ratio`` (shoulder and hip
        widths over trunk length: large facing the camera, small side-on), per-side
        ``{left,right}_ankle_y`` and ``{left,right}_knee_y`` (image y, down), ``{left,right}_hip_ankle``
        (px), ``hip_gap``, ``shoulder_gap`` and ``trunk_len`` (mid-shoulder to mid-hip) (px).
    """
    p = {k: np.asarray(points[k], dtype=np.float64).reshape(-1, 2) for k in KEYPOINTS}
    ls, rs, lh, rh = p["left_shoulder"], p["right_shoulder"], p["left_hip"], p["right_hip"]
    lk, rk, la, ra = p["left_knee"], p["right_knee"], p["left_ankle"], p["right_ankle"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # missing keypoints propagate as NaN
        mid_hip, mid_sh = (lh + rh) / 2, (ls + rs) / 2
        trunk = mid_sh - mid_hip
        trunk_len = np.linalg.norm(trunk, axis=-1)
        trunk_tilt = np.degrees(np.arctan2(np.abs(trunk[:, 0]), -trunk[:, 1]))
        feats: Features = {
            "leg_len": _mean2(_dist(lh, lk) + _dist(lk, la), _dist(rh, rk) + _dist(rk, ra)),
            "thigh_len": _mean2(_dist(lh, lk), _dist(rh, rk)),
            "left_thigh_len": _dist(lh, lk), "right_thigh_len": _dist(rh, rk),
            "left_shank_len": _dist(lk, la), "right_shank_len": _dist(rk, ra),
            "hip_y": mid_hip[:, 1], "hip_x": mid_hip[:, 0],
            "left_knee_deg": angle_at(lh, lk, la), "right_knee_deg": angle_at(rh, rk, ra),
            "knee_flexion_deg": 180.0 - _mean2(angle_at(lh, lk, la), angle_at(rh, rk, ra)),
            "knee_gap": _dist(lk, rk),
            "hip_gap": _dist(lh, rh),
            "shoulder_gap": _dist(ls, rs),
            "trunk_len": trunk_len,
            "leg_spread_deg": angle_at(la - lh + rh, rh, ra),
            "hip_angle_deg": _mean2(angle_at(ls, lh, lk), angle_at(rs, rh, rk)),
            "body_line_deg": _mean2(angle_at(ls, lh, la), angle_at(rs, rh, ra)),
            "obliquity_deg": pelvic_obliquity_points(lh, rh),
            "ankle_dy": np.abs(la[:, 1] - ra[:, 1]),
            "trunk_tilt_deg": trunk_tilt,
            "trunk_lean_deg": trunk_lean_points(lh, rh, ls, rs),
            "fppa_left_deg": fppa_points(lh, lk, la, rh),
            "fppa_right_deg": fppa_points(rh, rk, ra, lh),
            "knee_width_ratio": np.abs(lk[:, 0] - rk[:, 0]) / np.abs(la[:, 0] - ra[:, 0]),
            "width_ratio": (_dist(ls, rs) + _dist(lh, rh)) / (2 * trunk_len),
            "left_ankle_y": la[:, 1], "right_ankle_y": ra[:, 1], "left_knee_y": lk[:, 1], "right_knee_y": rk[:, 1],
            "left_hip_ankle": _dist(lh, la), "right_hip_ankle": _dist(rh, ra),
        }
    return feats


def features_from_pose(pose: PoseSeries) -> Features:
    """:func:`compute_features` of a whole pose series."""
    return compute_features({k: pose.xy(k) for k in KEYPOINTS})


def signal_values(signal: str, feats: Features, lying_trunk_deg: float) -> tuple[FloatArray, FloatArray | None]:
    """The raw signal of a movement and the per-frame body length it is to be divided by.

    ``body_line`` is the shoulder-hip-ankle angle only while the trunk lies (tilted more than
    ``lying_trunk_deg`` from vertical), and 0 while upright, so standing up is not a plank.

    Returns
    -------
    tuple
        ``(values, scale)``: values in pixels or degrees; ``scale`` the per-frame length in pixels
        (the tracker uses a running typical value of it), or None for angle signals.
    """
    scale_name = SIGNAL_SCALE[signal]
    values = feats[_RAW[signal]]
    if signal == "body_line":
        tilt = feats["trunk_tilt_deg"]
        with np.errstate(invalid="ignore"):
            values = np.where(np.isfinite(tilt), np.where(tilt > lying_trunk_deg, values, 0.0), np.nan)
    return values, (feats[scale_name] if scale_name else None)
