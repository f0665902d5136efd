"""Detecting and repairing left/right label swaps.

Pose models sometimes label the left leg as the right for a few frames (a known failure of
BlazePose and OpenPose in frontal views).  A swap shows as a jump: the "left" knee suddenly sits
where the right knee was a frame earlier, and vice versa.  :func:`repair_swaps` walks the series
and, for each group of keypoints (a leg, the hips, the shoulders), keeps the labelling that moves
least from the previous repaired frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kneeline.pose.container import FloatArray, PoseSeries
from kneeline.pose.skeleton import mirror_name

__all__ = ["SWAP_GROUPS", "SwapReport", "repair_swaps"]

SWAP_GROUPS: tuple[tuple[str, ...], ...] = (
    ("left_knee", "left_ankle", "left_heel", "left_foot_index"),
    ("left_hip",),
    ("left_shoulder", "left_elbow", "left_wrist"),
)
"""Left-side keypoints whose labels swap together with their right-side mirrors."""


@dataclass(frozen=True)
class SwapReport:
    """Frames whose labels were swapped back, per group (named by its first keypoint)."""

    frames: dict[str, tuple[int, ...]]

    @property
    def total(self) -> int:
        """Number of (group, frame) pairs repaired."""
        return sum(len(v) for v in self.frames.values())


def _group_decisions(left: FloatArray, right: FloatArray, ratio: float, min_separation: float) -> list[int]:
    """Return the frame indices at which the group's left/right labels must be exchanged.

    ``left`` and ``right`` have shape ``(time, n, 2)``.
    """
    swapped: list[int] = []
    prev_l: FloatArray | None = None
    prev_r: FloatArray | None = None
    for t in range(left.shape[0]):
        cur_l, cur_r = left[t], right[t]
        if not (np.all(np.isfinite(cur_l)) and np.all(np.isfinite(cur_r))):
            continue
        if prev_l is not None and prev_r is not None:
            separation = float(np.mean(np.linalg.norm(cur_l - cur_r, axis=-1)))
            keep = float(np.sum(np.linalg.norm(cur_l - prev_l, axis=-1) + np.linalg.norm(cur_r - prev_r, axis=-1)))
            swap = float(np.sum(np.linalg.norm(cur_l - prev_r, axis=-1) + np.linalg.norm(cur_r - prev_l, axis=-1)))
            if separation >= min_separation and swap < ratio * keep:
                swapped.append(t)
                cur_l, cur_r = cur_r, cur_l
        prev_l, prev_r = cur_l, cur_r
    return swapped


def repair_swaps(pose: PoseSeries, *, ratio: float, min_separation_px: float) -> tuple[PoseSeries, SwapReport]:
    """Exchange left/right labels in the frames where they were swapped.

    Parameters
    ----------
    pose
        Input series (best masked and gap-filled, not yet low-pass filtered).
    ratio
        A frame is swapped when the swapped labelling moves less than ``ratio`` times the kept one.
    min_separation_px
        Below this mean left-right distance the labels are too close to judge; frames are kept.

    Returns
    -------
    tuple
        The repaired series and a :class:`SwapReport`.
    """
    position = pose.position.copy()
    confidence = pose.confidence.copy()
    world = None if pose.world is None else pose.world.copy()
    frames: dict[str, tuple[int, ...]] = {}
    for group in SWAP_GROUPS:
        names = [n for n in group if n in pose.keypoints and mirror_name(n) in pose.keypoints]
        if not names:
            continue
        li = [pose.index(n) for n in names]
        ri = [pose.index(mirror_name(n)) for n in names]
        idx = _group_decisions(position[:, li, :], position[:, ri, :], ratio, min_separation_px)
        frames[names[0]] = tuple(idx)
        if idx:
            rows = np.asarray(idx)
            for a, b in zip(li, ri, strict=True):
                position[rows, a], position[rows, b] = position[rows, b].copy(), position[rows, a].copy()
                confidence[rows, a], confidence[rows, b] = confidence[rows, b].copy(), confidence[rows, a].copy()
                if world is not None:
                    world[rows, a], world[rows, b] = world[rows, b].copy(), world[rows, a].copy()
    return pose.with_arrays(position=position, confidence=confidence, world=world), SwapReport(frames)
