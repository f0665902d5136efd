"""Frontal-plane angles from 2D keypoints, each with its sign convention.

Image coordinates: ``x`` to the right, ``y`` downwards (pixels).  All angles in degrees.  The
point-level functions (``*_points``) take arrays of shape ``(..., 2)`` and are unit-tested on
hand-built points; the series-level functions take a :class:`PoseSeries` and return ``(time,)``
arrays with NaN where a keypoint is missing.

Conventions
-----------
- **FPPA** (knee frontal-plane projection angle): angle between the thigh (hip -> knee) and the
  shank (knee -> ankle); 0 for a straight leg; **positive = valgus**, the knee medial to the
  hip-ankle line (toward the other leg); negative = varus.  Medial is the side of the line on which
  the other hip lies, so the sign is right whether the person faces the camera or turns their back.
- **Pelvic obliquity**: angle of the right-hip -> left-hip line against horizontal; **positive =
  the person's left hip higher** than the right.
- **Contralateral pelvic drop** (for a stance leg): **positive = pelvis lower on the side
  opposite the stance leg**.
- **Lateral trunk lean**: mid-hip -> mid-shoulder against vertical; positive = toward the
  person's left; :func:`trunk_lean_toward` gives positive = toward the stance leg.
- **Depth**: mid-hip descent below its standing height as a fraction of leg length.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from kneeline.pose.container import FloatArray, PoseSeries

Leg = Literal["left", "right"]

__all__ = [
    "Leg", "fppa_points", "pelvic_obliquity_points", "trunk_lean_points", "fppa", "pelvic_obliquity",
    "contralateral_pelvic_drop", "trunk_lean", "trunk_lean_toward", "leg_length_px", "depth",
    "other_leg",
]


def other_leg(side: Leg) -> Leg:
    """Return the other leg."""
    return "right" if side == "left" else "left"


def _as_xy(a: FloatArray) -> FloatArray:
    arr = np.asarray(a, dtype=np.float64)
    if arr.shape[-1] != 2:
        raise ValueError(f"expected points with 2 coordinates in the last axis; got shape {arr.shape}")
    return arr


def fppa_points(hip: FloatArray, knee: FloatArray, ankle: FloatArray, other_hip: FloatArray) -> FloatArray:
    """Knee frontal-plane projection angle from 2D points (positive = valgus).

    Parameters
    ----------
    hip, knee, ankle
        Points of the measured leg, shape ``(..., 2)``.
    other_hip
        The contralateral hip, which fixes the medial direction.

    Returns
    -------
    numpy.ndarray
        Angle in degrees between thigh and shank, signed: positive when the knee lies on the
        same side of the hip-ankle line as the other hip (medial), negative when lateral.
    """
    hip, knee, ankle, other_hip = (_as_xy(p) for p in (hip, knee, ankle, other_hip))
    thigh = knee - hip
    shank = ankle - knee
    cross = thigh[..., 0] * shank[..., 1] - thigh[..., 1] * shank[..., 0]
    dot = np.sum(thigh * shank, axis=-1)
    magnitude = np.degrees(np.abs(np.arctan2(cross, dot)))
    line = ankle - hip
    # Side of the hip-ankle line: sign of the 2D cross product of the line with each point.
    side_knee = line[..., 0] * (knee - hip)[..., 1] - line[..., 1] * (knee - hip)[..., 0]
    side_medial = line[..., 0] * (other_hip - hip)[..., 1] - line[..., 1] * (other_hip - hip)[..., 0]
    sign = np.where(side_knee * side_medial >= 0, 1.0, -1.0)
    out: FloatArray = sign * magnitude
    return out


def pelvic_obliquity_points(left_hip: FloatArray, right_hip: FloatArray) -> FloatArray:
    """Pelvic obliquity from 2D hip points (positive = left hip higher in the image)."""
    left_hip, right_hip = _as_xy(left_hip), _as_xy(right_hip)
    rise = right_hip[..., 1] - left_hip[..., 1]  # y grows downwards
    run = np.abs(left_hip[..., 0] - right_hip[..., 0])
    out: FloatArray = np.degrees(np.arctan2(rise, run))
    return out


def trunk_lean_points(left_hip: FloatArray, right_hip: FloatArray, left_shoulder: FloatArray,
                      right_shoulder: FloatArray) -> FloatArray:
    """Lateral trunk lean from 2D points (positive = toward the person's left).

    The person's left is the image side on which the left hip lies, so the sign holds whether the
    person faces the camera or not.
    """
    left_hip, right_hip = _as_xy(left_hip), _as_xy(right_hip)
    left_shoulder, right_shoulder = _as_xy(left_shoulder), _as_xy(right_shoulder)
    trunk = (left_shoulder + right_shoulder) / 2 - (left_hip + right_hip) / 2
    to_left = np.sign(left_hip[..., 0] - right_hip[..., 0])
    to_left = np.where(to_left == 0, 1.0, to_left)
    out: FloatArray = np.degrees(np.arctan2(trunk[..., 0] * to_left, -trunk[..., 1]))
    return out


def fppa(pose: PoseSeries, side: Leg) -> FloatArray:
    """Per-frame FPPA of the ``side`` knee (positive = valgus); see :func:`fppa_points`."""
    return fppa_points(pose.xy(f"{side}_hip"), pose.xy(f"{side}_knee"), pose.xy(f"{side}_ankle"),
                       pose.xy(f"{other_leg(side)}_hip"))


def pelvic_obliquity(pose: PoseSeries) -> FloatArray:
    """Per-frame pelvic obliquity (positive = left hip higher)."""
    return pelvic_obliquity_points(pose.xy("left_hip"), pose.xy("right_hip"))


def contralateral_pelvic_drop(obliquity_deg: FloatArray, stance: Leg) -> FloatArray:
    """Contralateral pelvic drop for a stance leg (positive = pelvis lower opposite the stance leg).

    With the left leg standing, a drop of the right side raises the left hip relative to the
    right: positive obliquity.  With the right leg standing the sign flips.
    """
    ob = np.asarray(obliquity_deg, dtype=np.float64)
    out: FloatArray = ob if stance == "left" else -ob
    return out


def trunk_lean(pose: PoseSeries) -> FloatArray:
    """Per-frame lateral trunk lean (positive = toward the person's left)."""
    return trunk_lean_points(pose.xy("left_hip"), pose.xy("right_hip"), pose.xy("left_shoulder"),
                             pose.xy("right_shoulder"))


def trunk_lean_toward(lean_deg: FloatArray, stance: Leg) -> FloatArray:
    """Trunk lean re-signed so that positive = toward the stance leg."""
    lean = np.asarray(lean_deg, dtype=np.float64)
    out: FloatArray = lean if stance == "left" else -lean
    return out


def leg_length_px(pose: PoseSeries) -> float:
    """Typical leg length in pixels: median over frames of thigh + shank, both legs averaged.

    Returns NaN when no frame has a complete leg.
    """
    lengths = []
    for side in ("left", "right"):
        thigh = np.linalg.norm(pose.xy(f"{side}_knee") - pose.xy(f"{side}_hip"), axis=-1)
        shank = np.linalg.norm(pose.xy(f"{side}_ankle") - pose.xy(f"{side}_knee"), axis=-1)
        lengths.append(thigh + shank)
    total = np.nanmean(np.vstack(lengths), axis=0) if np.any(np.isfinite(lengths)) else np.array([np.nan])
    finite = total[np.isfinite(total)]
    if finite.size == 0:
        return float("nan")
    # Legs look longest when straight: the upper quartile is the standing length.
    return float(np.percentile(finite, 75))


def depth(pose: PoseSeries, standing_percentile: float = 5.0) -> FloatArray:
    """Mid-hip descent below standing, as a fraction of leg length (0 standing, larger = deeper).

    Parameters
    ----------
    pose
        Input series.
    standing_percentile
        Percentile of mid-hip height (image ``y``) taken as the standing level; a low percentile
        (highest hip position) is robust to a few noisy frames.
    """
    mid_y = (pose.xy("left_hip")[:, 1] + pose.xy("right_hip")[:, 1]) / 2
    finite = mid_y[np.isfinite(mid_y)]
    length = leg_length_px(pose)
    if finite.size == 0 or not np.isfinite(length) or length <= 0:
        return np.full(pose.n_frames, np.nan)
    standing = float(np.percentile(finite, standing_percentile))
    out: FloatArray = (mid_y - standing) / length
    return out
