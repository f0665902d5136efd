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

__all__ = ["yaw_from_world", "body_axis_world", "estimate_yaw", "in_frame", "person_height_px"]

_PAIRS = (("left_hip", "right_hip"), ("left_shoulder", "right_shoulder"))


def yaw_from_world(pose: PoseSeries, z_scale: float = 1.0) -> FloatArray:
    """Per-frame yaw from metric 3D keypoints (camera-aligned axes, ``z`` away from the camera).

    The left-right axis of the body is the sum of the right->left hip and shoulder vectors; its
    angle out of the image plane is the yaw.  ``z_scale`` corrects a pose model that compresses
    depth (BlazePose does: see ``capture.yaml``).  NaN without world coordinates.
    """
    axis = body_axis_world(pose)
    if axis is None:
        return np.full(pose.n_frames, np.nan)
    out: FloatArray = np.degrees(np.arctan2(z_scale * np.abs(axis[:, 2]), np.abs(axis[:, 0])))
    return out


def body_axis_world(pose: PoseSeries) -> FloatArray | None:
    """Per-frame body left-right axis in 3D: right->left hip plus right->left shoulder; None without 3D."""
    if pose.world is None:
        return None
    axis = np.zeros((pose.n_frames, 3))
    for left, right in _PAIRS:
        lw, rw = pose.world_xyz(left), pose.world_xyz(right)
        assert lw is not None and rw is not None
        axis = axis + (lw - rw)
    return axis


def estimate_yaw(pose: PoseSeries, z_scale: float = 1.0) -> FloatArray:
    """Per-frame body yaw to the camera in degrees, from 3D keypoints; NaN without them.

    No 2D-only estimate is offered: proportions in the image (body widths against trunk height)
    read 23-26 deg for a squarely facing person (``benchmarks/view_limits.py``), which would make
    the capture gate's yaw limits meaningless.
    """
    return yaw_from_world(pose, z_scale)


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
