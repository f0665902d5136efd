"""Camera view and framing: the body's yaw to the camera, whether the whole body is in view, size.

Yaw convention: 0 deg = the person faces (or turns their back to) the camera squarely; 90 deg =
side-on.  Only the magnitude is estimated: frontal-plane measurements degrade the same way for a
turn to either side.
"""

from __future__ import annotations

import warnings

import numpy as np

from kneeline.pose.container import FloatArray, PoseSeries
from kneeline.pose.skeleton import LOWER_BODY

__all__ = ["yaw_from_world", "yaw_from_image", "estimate_yaw", "in_frame", "person_height_px"]

_PAIRS = (("left_hip", "right_hip"), ("left_shoulder", "right_shoulder"))


def yaw_from_world(pose: PoseSeries, z_scale: float = 1.0) -> FloatArray:
    """Per-frame yaw from metric 3D keypoints (camera-aligned axes, ``z`` away from the camera).

    The left-right axis of the body is the sum of the right->left hip and shoulder vectors; its
    angle out of the image plane is the yaw.  ``z_scale`` corrects a pose model that compresses
    depth (BlazePose does: see ``capture.yaml``).  NaN without world coordinates.
    """
    if pose.world is None:
        return np.full(pose.n_frames, np.nan)
    axis = np.zeros((pose.n_frames, 3))
    for left, right in _PAIRS:
        lw, rw = pose.world_xyz(left), pose.world_xyz(right)
        assert lw is not None and rw is not None
        axis = axis + (lw - rw)
    out: FloatArray = np.degrees(np.arctan2(z_scale * np.abs(axis[:, 2]), np.abs(axis[:, 0])))
    return out


def yaw_from_image(pose: PoseSeries, width_ratio: float) -> FloatArray:
    """Per-frame yaw from 2D proportions: hip + shoulder width against trunk height.

    ``width_ratio`` is the frontal ratio (hip width + shoulder width) / trunk height of a typical
    body; the apparent ratio shrinks with the cosine of the yaw.  Coarse: body shape varies.
    """
    width = np.zeros(pose.n_frames)
    for left, right in _PAIRS:
        width = width + np.linalg.norm(pose.xy(left) - pose.xy(right), axis=-1)
    mid_hip = (pose.xy("left_hip") + pose.xy("right_hip")) / 2
    mid_sh = (pose.xy("left_shoulder") + pose.xy("right_shoulder")) / 2
    trunk = np.linalg.norm(mid_sh - mid_hip, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.clip(width / (width_ratio * trunk), 0.0, 1.0)
    out: FloatArray = np.degrees(np.arccos(ratio))
    return out


def estimate_yaw(pose: PoseSeries, width_ratio: float = 1.0, z_scale: float = 1.0) -> FloatArray:
    """Per-frame body yaw to the camera in degrees: from world coordinates when present, else 2D."""
    if pose.world is not None and np.any(np.isfinite(pose.world)):
        return yaw_from_world(pose, z_scale)
    return yaw_from_image(pose, width_ratio)


def in_frame(pose: PoseSeries, margin: float, keypoints: tuple[str, ...] = LOWER_BODY) -> np.ndarray:
    """Per-frame mask: every keypoint in ``keypoints`` found and inside the frame.

    Parameters
    ----------
    pose
        Input series.
    margin
        Fraction of the frame size a keypoint may lie outside the image and still count
        (BlazePose extrapolates joints slightly beyond the border).
    keypoints
        The keypoints that must be visible.
    """
    xy = np.stack([pose.xy(k) for k in keypoints], axis=1)
    lo_x, hi_x = -margin * pose.width, (1 + margin) * pose.width
    lo_y, hi_y = -margin * pose.height, (1 + margin) * pose.height
    with np.errstate(invalid="ignore"):
        ok = (xy[..., 0] >= lo_x) & (xy[..., 0] <= hi_x) & (xy[..., 1] >= lo_y) & (xy[..., 1] <= hi_y)
    found = np.all(np.isfinite(xy[..., 0]), axis=1)
    return np.asarray(found & np.all(ok, axis=1))


def person_height_px(pose: PoseSeries) -> FloatArray:
    """Per-frame vertical extent from the highest shoulder/nose point to the lowest ankle/heel point."""
    top_names = [n for n in ("nose", "left_shoulder", "right_shoulder") if n in pose.keypoints]
    bottom_names = [n for n in ("left_ankle", "right_ankle", "left_heel", "right_heel") if n in pose.keypoints]
    top = np.stack([pose.xy(n)[:, 1] for n in top_names], axis=1)
    bottom = np.stack([pose.xy(n)[:, 1] for n in bottom_names], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames give NaN, as intended
        out: FloatArray = np.nanmax(bottom, axis=1) - np.nanmin(top, axis=1)
    return out
