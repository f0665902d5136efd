"""Which per-frame numbers may be shown: the one place the capture gate's decisions are applied.

Every output of kneeline (``result.json`` reps and summaries, ``frames.csv``, the annotated videos,
the plots, the web pages, the coach and its live page, exports) reads its knee, pelvis and trunk
angles from :func:`shown_table`.  A value blanked here (NaN) is withheld: it is never drawn,
plotted or reported anywhere else.

Per frame:

- knee FPPA: withheld when the video's view is past the FPPA limit, when that frame's view is, and
  where the thigh points at the camera (its 2D length under ``fppa_min_thigh_ratio`` of standing);
- pelvic obliquity / drop and lateral trunk lean: withheld when the video's view is past the pelvis
  limit, and per frame by the limits of ``capture.yaml`` ``*_yaw_limits_deg``, which depend on knee
  flexion: the deeper the knee bends, the more the thighs hide the hips from the pose model and the
  more forward trunk lean turns into apparent sideways lean in an oblique view
  (``benchmarks/pelvis_limits.py`` measures both).  Each shown value has an expected error
  (:func:`kneeline.capture.limits.expected_error`) from the same measurements.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from kneeline.capture.gate import GateOutcome
from kneeline.capture.limits import flexion_band, yaw_limits
from kneeline.evidence import value
from kneeline.kinematics.table import KinematicsTable
from kneeline.pose.container import FloatArray, PoseSeries

__all__ = ["shown_table", "shown_with_reasons", "thigh_ratio", "knee_flexion", "leg_knee_flexion",
           "WITHHELD_REASONS", "FPPA_COLUMNS", "PELVIS_COLUMNS"]

FPPA_COLUMNS = ("fppa_left_deg", "fppa_right_deg")
"""Knee angle columns: withheld together by view, each by its own thigh foreshortening."""
PELVIS_COLUMNS = ("pelvic_obliquity_deg", "trunk_lean_deg")
"""Pelvis and trunk columns, each with its own limits."""
def thigh_ratio(pose: PoseSeries, side: str) -> FloatArray:
    """Per-frame 2D thigh length over its standing length (small when the thigh points at the camera)."""
    length = np.linalg.norm(pose.xy(f"{side}_knee") - pose.xy(f"{side}_hip"), axis=-1)
    finite = length[np.isfinite(length)]
    if finite.size == 0:
        return np.full(pose.n_frames, np.nan)
    out: FloatArray = length / float(np.percentile(finite, 75))
    return out


def leg_knee_flexion(pose: PoseSeries, side: str) -> FloatArray:
    """Per-frame flexion (deg, 0 = straight) of one knee from the 3D keypoints; NaN without them."""
    if pose.world is None:
        return np.full(pose.n_frames, np.nan)
    hip, knee, ankle = (pose.world_xyz(f"{side}_{k}") for k in ("hip", "knee", "ankle"))
    assert hip is not None and knee is not None and ankle is not None
    thigh, shank = knee - hip, ankle - knee
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(thigh * shank, axis=1) / (np.linalg.norm(thigh, axis=1) * np.linalg.norm(shank, axis=1))
    out: FloatArray = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return out


def knee_flexion(pose: PoseSeries) -> FloatArray:
    """Per-frame flexion (deg, 0 = straight) of the supporting knee(s), from the 3D keypoints.

    The supporting leg is the one whose ankle is lower (3D ``y`` points down); while both ankles are
    within ``support_ankle_height_m`` of each other (standing, a squat) the more bent knee counts.  A
    lifted or swinging leg does not count: in gait and single-leg tests the stance knee decides how
    far the body leans and how much the thighs hide the hips.  NaN without 3D keypoints.
    """
    if pose.world is None:
        return np.full(pose.n_frames, np.nan)
    left, right = leg_knee_flexion(pose, "left"), leg_knee_flexion(pose, "right")
    left_ankle, right_ankle = pose.world_xyz("left_ankle"), pose.world_xyz("right_ankle")
    assert left_ankle is not None and right_ankle is not None
    tolerance = float(value("capture.yaml", "support_ankle_height_m"))
    dy = left_ankle[:, 1] - right_ankle[:, 1]  # > 0: the left ankle is lower (y down)
    with np.errstate(invalid="ignore"):
        out: FloatArray = np.where(dy > tolerance, left, np.where(dy < -tolerance, right, np.fmax(left, right)))
    return out


def _pelvis_keep(column: str, yaw: FloatArray, flexion: FloatArray) -> np.ndarray:
    """Per-frame: the view is within this column's limit for the frame's knee flexion."""
    limits = yaw_limits(column)
    keep = np.zeros(yaw.shape, dtype=bool)
    for i in range(yaw.size):
        limit = limits[flexion_band(float(flexion[i]))]
        keep[i] = limit is not None and bool(np.isfinite(yaw[i])) and float(yaw[i]) <= float(limit)
    return keep


WITHHELD_REASONS: dict[str, str] = {
    "view": "the camera view of the whole video is past this value's limit",
    "frame_view": "the view at this moment is past this value's limit (the person or camera turned)",
    "thigh": "the thigh pointed at the camera, where a 2D knee angle means little",
    "flexion": "with the knees bent this far the value is reliable only from a view closer to facing the camera",
}
"""Reason code -> plain explanation of why a per-frame value is withheld."""


def shown_with_reasons(table: KinematicsTable, gate: GateOutcome, pose: PoseSeries,
                       flexion: FloatArray | None = None) -> tuple[KinematicsTable, dict[str, np.ndarray]]:
    """Blank every per-frame value the capture gate does not let kneeline show, and say why.

    Parameters
    ----------
    table
        Per-frame kinematics of ``pose`` (its ``yaw_deg`` is the per-frame view).
    gate
        The capture gate's outcome for the same video.
    pose
        The cleaned pose series ``table`` was computed from.
    flexion
        :func:`knee_flexion` of ``pose`` when the caller has it already.

    Returns
    -------
    tuple of KinematicsTable and dict
        The table with withheld values set to NaN, and per withheld-able column a ``(time,)`` array
        of reason codes (keys of :data:`WITHHELD_REASONS`; ``""`` where the value is shown or was
        never measured).
    """
    n = table.time_s.shape[0]
    changes: dict[str, np.ndarray] = {}
    reasons: dict[str, np.ndarray] = {}
    yaw = table.yaw_deg
    # Without a per-frame view (no 3D keypoints) the video-level decision alone applies.
    known = np.isfinite(yaw) & gate.enforce_view
    min_thigh = float(value("capture.yaml", "fppa_min_thigh_ratio"))
    fppa_limit = float(value("capture.yaml", "fppa_yaw_withhold_deg"))
    with np.errstate(invalid="ignore"):
        fppa_view = ~known | (yaw < fppa_limit)
    for column, side in zip(FPPA_COLUMNS, ("left", "right"), strict=True):
        with np.errstate(invalid="ignore"):
            thigh_ok = ~(thigh_ratio(pose, side) < min_thigh)
        why = np.where(~np.full(n, gate.fppa_ok), "view",
                       np.where(~fppa_view, "frame_view", np.where(~thigh_ok, "thigh", "")))
        reasons[column] = _measured_only(why, table.column(column))
        changes[column] = np.where(why == "", table.column(column), np.nan)
    if flexion is None:
        flexion = knee_flexion(pose)
    for column in PELVIS_COLUMNS:
        limited = (~_pelvis_keep(column, yaw, flexion)) & known
        within_video_limit = ~(known & ~(yaw <= max((v for v in yaw_limits(column) if v is not None),
                                                       default=-1.0)))
        why = np.where(~np.full(n, gate.pelvis_ok), "view",
                       np.where(~within_video_limit, "frame_view", np.where(limited, "flexion", "")))
        reasons[column] = _measured_only(why, table.column(column))
        changes[column] = np.where(why == "", table.column(column), np.nan)
    return replace(table, **changes), reasons


def _measured_only(why: np.ndarray, values: FloatArray) -> np.ndarray:
    """Keep a reason only where there was a value to withhold."""
    out: np.ndarray = np.where(np.isfinite(values), why, "")
    return out


def shown_table(table: KinematicsTable, gate: GateOutcome, pose: PoseSeries) -> KinematicsTable:
    """Blank every per-frame value the capture gate does not let kneeline show.

    See :func:`shown_with_reasons`, which also says why each value is withheld.
    """
    return shown_with_reasons(table, gate, pose)[0]
