"""Long walks built from the one motion-capture stride of ``mocap-opencap-subject4/walking1``.

``walking1`` holds one step from a left heel strike to the next right heel strike (foot-velocity
events from the heel markers).  A long walk is that step, then the same step mirrored left-right
(reflected across the subject's sagittal plane with left and right marker names swapped, so it runs
from the right heel strike to the next left one), then the step again, and so on; each copy is
translated so it starts where the previous one ended.  The result is a symmetric walk with a known
cadence (one step per copy).  Then a **known left-right difference** is added:

- during every left stance (left heel strike to left toe-off) the two hip keypoints are turned about
  the mid-hip, in the plane perpendicular to the walking direction, so the right hip drops by
  ``extra_drop_deg`` more at midstance (a ``sin^2`` bump over the stance: zero at contact and toe-off,
  full at midstance, half-way between them);
- during every right stance the two shoulder keypoints are turned about the mid-hip so the trunk
  leans ``extra_lean_deg`` more toward the right (standing) leg, with the same bump.

The mid-hip does not move, so the left-right difference a perfect measurement finds is
``+extra_drop_deg`` for contralateral pelvic drop (left minus right) and ``-extra_lean_deg`` for
lateral trunk lean toward the stance leg, on top of the unmodified walk's own (mirror-symmetric,
so zero) difference.  No pytest and no ``_common`` here: both the benchmarks and the tests import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kneeline.io.markers import MOCAP_LATERAL_MAPPING, keypoint_xyz, markers_to_pose, virtual_camera
from kneeline.io.trc import MarkerSet, read_trc
from kneeline.pose.container import FloatArray, PoseSeries
from kneeline.pose.skeleton import mirror_name

__all__ = ["SyntheticWalk", "stride_events", "build_walk", "film_walk"]

UP = np.array([0.0, 1.0, 0.0])


@dataclass(frozen=True, eq=False)
class SyntheticWalk:
    """A long walk of kneeline keypoints in metres (Y up) with its known answers.

    Attributes
    ----------
    names, xyz, time_s
        Keypoint names, ``(time, keypoint, 3)`` positions and times (100 Hz).
    contacts_s
        Heel-strike times per leg.
    step_s
        Duration of one step (so the cadence is ``60 / step_s`` steps per minute).
    facing
        Horizontal walking direction (unit 3-vector).
    extra_drop_deg, extra_lean_deg
        The left-right differences added (see the module docstring).
    """

    names: tuple[str, ...]
    xyz: FloatArray
    time_s: FloatArray
    contacts_s: dict[str, list[float]]
    step_s: float
    facing: FloatArray
    extra_drop_deg: float
    extra_lean_deg: float

    @property
    def cadence(self) -> float:
        """True cadence in steps per minute."""
        return 60.0 / self.step_s


def stride_events(markers: MarkerSet, marker: str, threshold_m_s: float = 0.5, rising: bool = False,
                  swing_peak_m_s: float = 1.0, swing_min_s: float = 0.15) -> list[int]:
    """Foot events from one marker's horizontal speed (foot-velocity method, O'Connor 2007).

    A swing is a run of frames faster than ``threshold_m_s`` lasting ``swing_min_s`` and reaching
    ``swing_peak_m_s``.  Heel strikes (``rising=False``, a heel marker) are the frames where a swing
    ends; toe-offs (``rising=True``, a toe marker) where one starts.  The trajectory is first median
    filtered over 5 samples, and runs that are too short or too slow are ignored: both remove the
    few-frame reconstruction glitches of the OpenCap walk (around 4.3-4.4 s).
    """
    from scipy.ndimage import median_filter

    xz = median_filter(markers.marker(marker)[:, [0, 2]], size=(5, 1), mode="nearest")
    speed = np.nan_to_num(np.linalg.norm(np.gradient(xz, markers.time_s, axis=0), axis=1), nan=0.0)
    moving = np.concatenate([[False], speed > threshold_m_s, [False]])
    starts = np.flatnonzero(~moving[:-1] & moving[1:])
    stops = np.flatnonzero(moving[:-1] & ~moving[1:])
    events = []
    for a, b in zip(starts, stops, strict=True):
        if markers.time_s[b - 1] - markers.time_s[a] < swing_min_s or speed[a:b].max() < swing_peak_m_s:
            continue
        if rising and a > 0:
            events.append(int(a))
        elif not rising and b < speed.size:
            events.append(int(b))
    return events


def _mirror(xyz: FloatArray, names: tuple[str, ...], origin: FloatArray, lateral: FloatArray) -> FloatArray:
    """Reflect across the vertical plane through ``origin`` normal to ``lateral``, swapping left/right names."""
    d = np.einsum("tkc,c->tk", xyz - origin, lateral)
    reflected = xyz - 2.0 * d[..., None] * lateral
    order = [names.index(mirror_name(n)) for n in names]
    out: FloatArray = reflected[:, order]
    return out


def _rotate_pair(xyz: FloatArray, names: tuple[str, ...], pair: tuple[str, str], angle_deg: FloatArray,
                 axis: FloatArray) -> FloatArray:
    """Turn two keypoints about the per-frame mid-hip by ``angle_deg`` (right-hand rule about ``axis``)."""
    out = xyz.copy()
    mid = 0.5 * (xyz[:, names.index("left_hip")] + xyz[:, names.index("right_hip")])
    a = np.radians(angle_deg)[:, None]
    for name in pair:
        v = xyz[:, names.index(name)] - mid
        rotated = (v * np.cos(a) + np.cross(axis, v) * np.sin(a) + axis * (v @ axis)[:, None] * (1 - np.cos(a)))
        out[:, names.index(name)] = mid + rotated
    return out


def build_walk(root: Path, n_steps: int = 16, extra_drop_deg: float = 3.0,
               extra_lean_deg: float = 2.0) -> SyntheticWalk:
    """Build a walk of ``n_steps`` steps (alternating, starting with a left stance) from ``walking1``.

    Parameters
    ----------
    root
        The shared data folder.
    n_steps
        Steps in the walk (each leg stands ``n_steps / 2`` times).
    extra_drop_deg, extra_lean_deg
        The known left-right differences to add (see the module docstring).
    """
    markers = read_trc(root / "mocap-opencap-subject4" / "walking1.trc")
    left_hs = stride_events(markers, "L_calc")[0]
    right_hs = [i for i in stride_events(markers, "r_calc") if i > left_hs][0]
    names, xyz = keypoint_xyz(markers, MOCAP_LATERAL_MAPPING)
    step = xyz[left_hs:right_hs + 1]
    mid = 0.5 * (step[:, names.index("left_hip")] + step[:, names.index("right_hip")])
    forward = mid[-1] - mid[0]
    facing = np.array([forward[0], 0.0, forward[2]]) / np.linalg.norm([forward[0], forward[2]])
    lateral = np.cross(UP, facing)  # the subject's left
    mirrored = _mirror(step, names, mid.mean(axis=0), lateral)
    dt = float(np.median(np.diff(markers.time_s)))
    n = step.shape[0] - 1  # frames per step; the last frame is the next step's first
    pieces = []
    end = step[0]
    for k in range(n_steps):
        piece = step if k % 2 == 0 else mirrored
        shift = end - piece[0]
        shift_mid = 0.5 * (shift[names.index("left_hip")] + shift[names.index("right_hip")])
        moved = piece + np.array([shift_mid[0], 0.0, shift_mid[2]])
        pieces.append(moved[:n])
        end = moved[-1]
    walk = np.concatenate(pieces)
    time_s = np.arange(walk.shape[0]) * dt
    # A stance lasts from a heel strike to the same foot's toe-off early in the next step (the other
    # foot's toe-off in this stride, by the mirror symmetry): the bumps span exactly the stance phases.
    toe_off = [i for i in stride_events(markers, "r_toe", rising=True) if left_hs < i < right_hs]
    stance_len = n + (toe_off[0] - left_hs if toe_off else 0)
    bumps = {"left": np.zeros(walk.shape[0]), "right": np.zeros(walk.shape[0])}
    for k in range(n_steps):
        frames = np.arange(k * n, min(k * n + stance_len, walk.shape[0]))
        bumps["left" if k % 2 == 0 else "right"][frames] = np.sin(np.pi * (frames - k * n) / stance_len) ** 2
    # Right hip down during left stance: turn the hips about the walking direction (right-hand rule:
    # a positive turn about the forward axis lifts the left hip and lowers the right).
    walk = _rotate_pair(walk, names, ("left_hip", "right_hip"), extra_drop_deg * bumps["left"], facing)
    # Trunk toward the right during right stance: a positive turn of the shoulders about the mid-hip
    # moves the mid-shoulder to the right.
    walk = _rotate_pair(walk, names, ("left_shoulder", "right_shoulder"), extra_lean_deg * bumps["right"], facing)
    contacts: dict[str, list[float]] = {"left": [], "right": []}
    for k in range(n_steps):
        contacts["left" if k % 2 == 0 else "right"].append(round(k * n * dt, 4))
    return SyntheticWalk(names=names, xyz=walk, time_s=time_s, contacts_s=contacts, step_s=n * dt, facing=facing,
                         extra_drop_deg=extra_drop_deg, extra_lean_deg=extra_lean_deg)


def film_walk(walk: SyntheticWalk, yaw_deg: float = 0.0, end_distance_m: float = 3.0,
              focal_px: float = 2000.0) -> PoseSeries:
    """Film the walk with a level virtual camera ahead of it, the person ending ``end_distance_m`` away.

    ``yaw_deg`` turns the camera round the walker (0 = straight ahead, positive = toward their left),
    as :func:`kneeline.io.markers.virtual_camera`.  A long lens (``focal_px``) keeps the far start of
    the walk large enough in the 720x1280 picture.
    """
    mid = 0.5 * (walk.xyz[:, walk.names.index("left_hip")] + walk.xyz[:, walk.names.index("right_hip")])
    target = mid[-1].copy()
    camera = virtual_camera(target, walk.facing, yaw_deg=yaw_deg, distance_m=end_distance_m, focal_px=focal_px)
    markers = MarkerSet(time_s=walk.time_s, names=walk.names, xyz=walk.xyz, rate_hz=100.0, units="m",
                        source="walking1 repeated and mirrored")
    identity = {k: (k,) for k in walk.names}
    return markers_to_pose(markers, camera, identity, source=f"synthetic walk via {camera.name}")
