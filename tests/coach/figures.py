"""Hand-built keypoint sequences of the exercises added in issue 14, each with known answers.

No motion capture or real video of these exercises exists in ``../shared/data``, so their counts
and holds are checked on these.  Side-view figures are planar chains: every segment is given its
direction in the image (0 deg = pointing right, 90 deg = pointing down, image y down) and its
length, so knee bends, hip angles and foot heights are known exactly.  The two sides of a side
view lie 6 px apart (the far side slightly behind), as a camera at the side sees them.
"""

from __future__ import annotations

import numpy as np

from kneeline.pose.container import PoseSeries
from tests.fixtures.synthetic import HIP_WIDTH, KEYPOINTS, SHANK, THIGH, TRUNK

FPS = 30.0


def times(duration_s: float) -> np.ndarray:
    """Frame times at :data:`FPS`."""
    return np.arange(0.0, duration_s, 1.0 / FPS)


def bumps(t: np.ndarray, centres: list[float], width_s: float, height: float) -> np.ndarray:
    """Smooth raised-cosine bumps of ``height`` and full width ``width_s`` at ``centres``; 0 elsewhere."""
    out = np.zeros_like(t)
    for c in centres:
        x = (t - c) / width_s
        out += np.where(np.abs(x) < 0.5, height * (1 + np.cos(2 * np.pi * x)) / 2, 0.0)
    return out


def plateaus(t: np.ndarray, start_s: float, end_s: float, height: float, ramp_s: float = 1.0) -> np.ndarray:
    """``height`` from ``start_s`` to ``end_s`` (half-height points), with smooth ramps of ``ramp_s``."""
    up = np.clip((t - (start_s - ramp_s / 2)) / ramp_s, 0, 1)
    down = np.clip(((end_s + ramp_s / 2) - t) / ramp_s, 0, 1)
    return height * np.minimum((1 - np.cos(np.pi * up)) / 2, (1 - np.cos(np.pi * down)) / 2)


def _dir(deg: np.ndarray | float) -> np.ndarray:
    a = np.radians(deg)
    return np.stack([np.cos(a), np.sin(a)], axis=-1)


def _series(pts: dict[str, np.ndarray], t: np.ndarray) -> PoseSeries:
    n = t.size
    for side in ("left", "right"):
        pts.setdefault(f"{side}_heel", pts[f"{side}_ankle"] + [0.0, 10.0])
        pts.setdefault(f"{side}_foot_index", pts[f"{side}_ankle"] + [25.0, 10.0])
    pts.setdefault("nose", (pts["left_shoulder"] + pts["right_shoulder"]) / 2 + [0.0, -60.0])
    pos = np.stack([np.broadcast_to(pts[k], (n, 2)) for k in KEYPOINTS], axis=1).astype(float)
    return PoseSeries(position=pos, confidence=np.ones(pos.shape[:2]), time_s=t, keypoints=KEYPOINTS,
                      width=1400, height=1200, source="synthetic")


def _sides(points: dict[str, np.ndarray], far: str) -> dict[str, np.ndarray]:
    """Both sides' points: the near side as given, the far side 6 px to the left (behind)."""
    out = {}
    near = "right" if far == "left" else "left"
    for name, xy in points.items():
        out[f"{near}_{name}"] = xy
        out.setdefault(f"{far}_{name}", xy - [6.0, 0.0])
    return out


def wall_sit(t: np.ndarray, bend_deg: np.ndarray) -> PoseSeries:
    """Side view, back to a wall: both knees bend by ``bend_deg`` (0 = standing), ankles fixed, trunk upright."""
    ankle = np.broadcast_to(np.array([700.0, 1000.0]), (t.size, 2))
    shank = _dir(np.full(t.size, 90.0 + 0.0))  # shin vertical, foot under the knee
    knee = ankle - SHANK * shank
    hip = knee - THIGH * _dir(90.0 - bend_deg)  # thigh tips forward as the knee bends
    shoulder = hip + TRUNK * _dir(np.full(t.size, -90.0))
    return _series(_sides({"ankle": ankle, "knee": knee, "hip": hip, "shoulder": shoulder}, far="left"), t)


def donkey_kick(t: np.ndarray, lift_deg: np.ndarray) -> PoseSeries:
    """Side view, on hands and knees facing right: the near (right) thigh swings back and up by ``lift_deg``.

    At rest both thighs hang straight down (shoulder-hip-knee 90 deg) with the shins along the floor;
    the kicking knee stays bent 90 deg.
    """
    n = t.size
    hip = np.broadcast_to(np.array([500.0, 600.0]), (n, 2))
    shoulder = hip + TRUNK * _dir(np.zeros(n))
    still_knee = hip + THIGH * _dir(np.full(n, 90.0))
    still_ankle = still_knee + SHANK * _dir(np.full(n, 180.0))
    thigh = 90.0 + lift_deg  # swings from down (90) towards back (180)
    kick_knee = hip + THIGH * _dir(thigh)
    kick_ankle = kick_knee + SHANK * _dir(thigh + 90.0)
    pts = {"left_hip": hip - [6.0, 0.0], "right_hip": hip, "left_shoulder": shoulder - [6.0, 0.0],
           "right_shoulder": shoulder, "left_knee": still_knee - [6.0, 0.0], "left_ankle": still_ankle - [6.0, 0.0],
           "right_knee": kick_knee, "right_ankle": kick_ankle}
    return _series(pts, t)


def straight_leg_raise(t: np.ndarray, lift_deg: np.ndarray, knee_bend_deg: np.ndarray | float = 0.0) -> PoseSeries:
    """Side view, lying on the back, head to the left: the near (left) straight leg lifts by ``lift_deg``.

    The far (right) knee is bent with its foot on the floor.  ``knee_bend_deg`` bends the lifting
    knee (a fault) while the thigh lifts.
    """
    n = t.size
    hip = np.broadcast_to(np.array([600.0, 900.0]), (n, 2))
    shoulder = hip + TRUNK * _dir(np.full(n, 180.0))
    thigh = -np.asarray(lift_deg, dtype=float) * np.ones(n)
    knee = hip + THIGH * _dir(thigh)
    ankle = knee + SHANK * _dir(thigh + np.asarray(knee_bend_deg, dtype=float))
    bent_knee = hip + THIGH * _dir(np.full(n, -45.0))
    bent_ankle = bent_knee + SHANK * _dir(np.full(n, 45.0))
    pts = {"left_hip": hip, "right_hip": hip - [6.0, 0.0], "left_shoulder": shoulder,
           "right_shoulder": shoulder - [6.0, 0.0], "left_knee": knee, "left_ankle": ankle,
           "right_knee": bent_knee - [6.0, 0.0], "right_ankle": bent_ankle - [6.0, 0.0]}
    return _series(pts, t)


def band_walk(t: np.ndarray, step: np.ndarray) -> PoseSeries:
    """Front view: the right foot steps out sideways by ``step`` leg lengths and back (legs open, then close).

    Hips stay level and centred; the knees sit midway between hip and ankle (no valgus).
    """
    n = t.size
    leg = THIGH + SHANK
    centre = np.array([700.0, 500.0])
    pts: dict[str, np.ndarray] = {}
    for side, sign in (("left", 1.0), ("right", -1.0)):  # facing the camera: the person's left on the image right
        hip = np.broadcast_to(centre + [sign * HIP_WIDTH / 2, 0.0], (n, 2))
        out = (step if side == "right" else np.zeros(n)) * leg
        ankle_x = hip[:, 0] + sign * out
        ankle_y = hip[:, 1] + np.sqrt(np.maximum(leg**2 - out**2, 0.0))
        ankle = np.stack([ankle_x, ankle_y], axis=1)
        pts[f"{side}_hip"], pts[f"{side}_ankle"] = hip, ankle
        pts[f"{side}_knee"] = (hip + ankle) / 2
        pts[f"{side}_shoulder"] = np.broadcast_to(centre + [sign * 70.0, -TRUNK], (n, 2))
    return _series(pts, t)


def step_ups(t: np.ndarray, starts: list[float], height: float = 0.2) -> PoseSeries:
    """Front view: step-ups onto a step ``height`` leg lengths high, leading with the left leg.

    Each rep (5 s from its start): the left foot goes onto the step (0.5 s), the body rises by
    ``height`` as the right foot leaves the floor and joins it (1.5 s), a pause on top (0.5 s), the
    body lowers (1.5 s) and the left foot comes down (0.5 s).  The hips rise by exactly ``height``
    leg lengths per rep.
    """
    from tests.fixtures.synthetic import stick_figure

    def ramp(a: float, b: float) -> np.ndarray:
        x = np.clip((t - a) / (b - a), 0, 1)
        return (1 - np.cos(np.pi * x)) / 2

    lift_left, rise = np.zeros_like(t), np.zeros_like(t)
    for s in starts:
        lift_left += height * (ramp(s, s + 0.5) - ramp(s + 4.5, s + 5.0))
        rise += height * (ramp(s + 0.5, s + 2.0) - ramp(s + 2.5, s + 4.0))
    return stick_figure(t, depth=-rise, lift_left=lift_left, lift_right=rise)


def lunges(t: np.ndarray, centres: list[float], front: list[str], width_s: float = 3.0) -> PoseSeries:
    """Side view, the person facing right: a lunge at each of ``centres``, on the front leg ``front[i]``.

    The front foot stays on the floor at one place; at the bottom the front thigh is 10 deg from
    level with its shin upright (5 deg), and the rear thigh is 15 deg behind vertical with its shin
    10 deg below level (the rear foot on its toes, just off the floor).  Between reps both legs
    hang straight under the hips, so a set may switch legs from one rep to the next.  The left leg
    is the far one (6 px behind).  At the bottom the front ankle lies 199 px below its knee, the
    rear one 35 px: the front leg is known.
    """
    u = bumps(t, centres, width_s, 1.0)[:, None]  # 0 standing .. 1 at the bottom
    ankle = np.array([700.0, 1000.0])
    hip = ankle - THIGH * _dir(90 - 80 * u[:, 0]) - SHANK * _dir(90 + 5 * u[:, 0])
    chains = {"front": (hip + THIGH * _dir(90 - 80 * u[:, 0]), np.broadcast_to(ankle, hip.shape)),
              "rear": (hip + THIGH * _dir(90 + 15 * u[:, 0]), None)}
    rear_knee = chains["rear"][0]
    chains["rear"] = (rear_knee, rear_knee + SHANK * _dir(90 + 80 * u[:, 0]))
    nearest = np.argmin(np.abs(t[:, None] - np.asarray(centres)[None, :]), axis=1)
    pts: dict[str, np.ndarray] = {}
    for leg in ("left", "right"):
        is_front = np.array([front[i] == leg for i in nearest])[:, None]
        shift = np.array([-6.0, 0.0]) if leg == "left" else np.zeros(2)
        knee = np.where(is_front, chains["front"][0], chains["rear"][0])
        foot = np.where(is_front, chains["front"][1], chains["rear"][1])
        pts[f"{leg}_hip"], pts[f"{leg}_knee"], pts[f"{leg}_ankle"] = hip + shift, knee + shift, foot + shift
        pts[f"{leg}_shoulder"] = hip + shift + [0.0, -TRUNK]
    return _series(pts, t)
