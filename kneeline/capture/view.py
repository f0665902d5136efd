"""The camera view: how far the person is turned from facing the camera, with its uncertainty.

This is the one view estimate of kneeline.  ``analyze``, ``coach``, the live page and the setup
assistant all call :func:`estimate_view`, so they agree on the view and the capture gate applies
the same limits everywhere.

Yaw convention: 0 deg = the person faces (or turns their back to) the camera squarely, 90 deg =
side-on.  ``signed_yaw_deg`` is negative when the person's left side is nearer the camera.

How it is estimated (``benchmarks/view_estimate.py`` measures it):

1. The body's left-right axis (right->left hip plus right->left shoulder) from the 3D keypoints
   gives a turn per frame.
2. BlazePose's 3D keypoints describe the body as seen along the line of sight to the person (the
   model works on a crop around them), so its turn is relative to that line: the angle of the line
   of sight off the camera's axis, from the person's horizontal position in the frame and a typical
   phone focal length, is subtracted to get the turn against the camera's image plane.
3. BlazePose reads a turn with a constant offset (``capture.yaml`` ``blazepose_world_yaw_bias_deg``,
   measured on real video against reference markers, checked leave-one-video-out).
   The 2D body widths bound the result where they can (a body seen side-on is narrow, whatever
   the 3D keypoints say; BlazePose's depth often collapses in exact side views).
4. Only frames with the whole body in the picture count; the video's view is their median, and the
   per-frame view a running median over ``view_window_s``.

Keypoints from other sources (motion capture, a file with camera-aligned 3D points) are used as
they are: steps 2-3 describe BlazePose.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import median_filter

from kneeline.evidence import value
from kneeline.kinematics.view import body_axis_world, in_frame
from kneeline.pose.container import FloatArray, PoseSeries
from kneeline.pose.skeleton import LOWER_BODY

__all__ = ["ViewEstimate", "estimate_view", "signed_frame_yaw", "is_blazepose"]

_FRAME_MARGIN_KEY = "frame_margin"


@dataclass(frozen=True)
class ViewEstimate:
    """Body yaw to the camera over a series of frames.

    Attributes
    ----------
    yaw_deg
        Best estimate of the turn away from facing the camera (magnitude, degrees), or None when
        it could not be estimated.
    signed_yaw_deg
        The same with its direction: negative when the person's left side is nearer the camera.
    uncertainty_deg
        Expected absolute error of ``yaw_deg`` (degrees), from kneeline's own validation and the
        spread of the frames.
    per_frame_deg
        ``(time,)`` per-frame yaw magnitude, a running median (NaN where unknown).
    frames_used
        How many frames (whole body in view) gave the estimate.
    method
        Which cues gave the estimate.
    """

    yaw_deg: float | None
    signed_yaw_deg: float | None
    uncertainty_deg: float | None
    per_frame_deg: FloatArray = field(repr=False)
    frames_used: int = 0
    method: str = ""


def _capture(key: str) -> float:
    return float(value("capture.yaml", key))


def is_blazepose(pose: PoseSeries) -> bool:
    """True when the keypoints come from BlazePose (whose 3D keypoints need the corrections)."""
    source = pose.source.lower()
    return "blazepose" in source or "mediapipe" in source


def _line_of_sight_deg(pose: PoseSeries) -> FloatArray:
    """Per-frame angle (deg) of the line of sight to the mid-hip off the camera axis, + = right of centre."""
    focal_px = max(pose.width, pose.height) * _capture("phone_focal_length_35mm") / 36.0
    mid_x = (pose.xy("left_hip")[:, 0] + pose.xy("right_hip")[:, 0]) / 2
    out: FloatArray = np.degrees(np.arctan2(mid_x - pose.width / 2, focal_px))
    return out


def signed_frame_yaw(pose: PoseSeries) -> FloatArray:
    """Per-frame signed yaw (deg, negative = left side nearer the camera) before any averaging.

    NaN without 3D keypoints.
    """
    axis = body_axis_world(pose)
    if axis is None:
        return np.full(pose.n_frames, np.nan)
    yaw: FloatArray = np.degrees(np.arctan2(axis[:, 2], axis[:, 0]))
    if is_blazepose(pose):
        yaw = yaw - _capture("blazepose_world_yaw_bias_deg") - _line_of_sight_deg(pose)
    # Facing away from the camera reads near +-180: fold onto the same -90..90 range.
    folded = (yaw + 90.0) % 180.0 - 90.0
    lower, upper = _width_bounds(pose)
    with np.errstate(invalid="ignore"):
        magnitude = np.clip(np.abs(folded), np.fmin(lower, upper), np.fmax(upper, lower))
    out: FloatArray = np.where(np.isfinite(lower), np.copysign(magnitude, folded), folded)
    return out


def _width_bounds(pose: PoseSeries) -> tuple[FloatArray, FloatArray]:
    """Per-frame lower and upper bounds of the yaw magnitude (deg) allowed by the 2D body widths.

    A body turned by ``yaw`` looks ``cos(yaw)`` times as wide against its trunk height; with the
    facing-the-camera proportion somewhere in ``view_width_ratio_range`` the 2D widths bound the
    turn.  Near facing the camera the bounds are loose (0 to ~45 deg); seen side-on the body is
    narrow and the lower bound rules a frontal reading out.
    """
    def width(a: str, b: str) -> FloatArray:
        out: FloatArray = np.linalg.norm(pose.xy(a) - pose.xy(b), axis=-1)
        return out

    mid_sh = (pose.xy("left_shoulder") + pose.xy("right_shoulder")) / 2
    mid_hip = (pose.xy("left_hip") + pose.xy("right_hip")) / 2
    trunk = np.linalg.norm(mid_sh - mid_hip, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (width("left_shoulder", "right_shoulder") + width("left_hip", "right_hip")) / 2 / trunk
    lo_ratio, hi_ratio = (float(v) for v in value("capture.yaml", "view_width_ratio_range"))
    lower: FloatArray = np.degrees(np.arccos(np.clip(ratio / lo_ratio, 0.0, 1.0)))
    upper: FloatArray = np.degrees(np.arccos(np.clip(ratio / hi_ratio, 0.0, 1.0)))
    return lower, upper


def _running_median(values: FloatArray, time_s: FloatArray, window_s: float) -> FloatArray:
    finite = np.isfinite(values)
    if not finite.any():
        return np.full(values.shape, np.nan)
    dt = float(np.median(np.diff(time_s))) if time_s.size > 1 else 1.0
    size = max(1, int(round(window_s / dt)) | 1)
    filled = np.interp(np.arange(values.size), np.flatnonzero(finite), values[finite])
    out: FloatArray = median_filter(filled, size=size, mode="nearest")
    out[~finite] = np.nan
    return out


def estimate_view(pose: PoseSeries) -> ViewEstimate:
    """Estimate how far the person is turned from the camera over ``pose``.

    Works on a whole video or on a short window of recent frames (live preview).  Frames without
    the whole body in view do not count; when there are none, every frame with 3D keypoints does
    and the uncertainty says so.

    Parameters
    ----------
    pose
        Keypoints with 3D coordinates (BlazePose's world landmarks, or camera-aligned 3D points).

    Returns
    -------
    ViewEstimate
        The estimate, or one with ``yaw_deg`` None when there are no 3D keypoints.
    """
    signed = signed_frame_yaw(pose)
    per_frame = np.abs(_running_median(signed, pose.time_s, _capture("view_window_s")))
    framed = in_frame(pose, _capture(_FRAME_MARGIN_KEY), LOWER_BODY) & np.isfinite(signed)
    method = "3D keypoints, whole-body frames"
    used = signed[framed]
    if used.size == 0:
        used = signed[np.isfinite(signed)]
        method = "3D keypoints, body partly out of view"
    if used.size == 0:
        return ViewEstimate(None, None, None, per_frame, 0, "none (no 3D keypoints)")
    # Magnitude and direction separately: near side-on the direction flips between frames.
    magnitude = float(np.median(np.abs(used)))
    signed_yaw = magnitude if np.count_nonzero(used > 0) >= used.size / 2 else -magnitude
    # Sampling error of the median (frames ~0.5 s apart are taken as independent) plus the model's
    # own error measured leave-one-video-out; a partly framed body doubles the latter.
    duration = float(pose.time_s[-1] - pose.time_s[0]) if pose.n_frames > 1 else 0.0
    n_eff = max(1.0, min(float(used.size), 2.0 * duration))
    sampling = 1.25 * float(np.std(np.abs(used))) / np.sqrt(n_eff)
    model = _capture("view_estimate_error_deg") if is_blazepose(pose) else 0.0
    if not framed.any():
        model *= 2.0
    return ViewEstimate(yaw_deg=magnitude, signed_yaw_deg=signed_yaw,
                        uncertainty_deg=float(np.hypot(model, sampling)), per_frame_deg=per_frame,
                        frames_used=int(used.size), method=method)
