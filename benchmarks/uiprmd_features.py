"""Features of one repetition from a virtual frontal and a virtual side phone camera.

Each repetition is projected (3 m pinhole cameras, :func:`kneeline.io.markers.virtual_view`) into a
frontal and a side (from the subject's left) image; every keypoint track is time-normalised to 101
samples (0-100 % of the repetition, as kineticstoolkit's ``time_normalize``) and turned into curves:
frontal knee/ankle and knee/hip width ratios, FPPA, lateral trunk lean, pelvic and shoulder
obliquity, depth, lateral shifts; side-view trunk lean, hip/knee/ankle angles, shin and thigh
angles, knee-over-toe, heel lift.  Lengths are divided by the leg length in the same image (its
largest value in the repetition: the straight leg), so no per-subject statistic is used.

Sides are named by role, not by left/right: the *active* leg is the one whose ankle travels further
in the two images (the stepping leg of a hurdle step, the moving foot of a lunge); signed lateral
quantities are positive towards the active side.  Both come from the repetition itself, never
from its label.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np

from benchmarks.uiprmd_data import CLASSIFY_MAPPING, with_hip_centres
from kneeline.coach.signals import angle_at
from kneeline.io.markers import virtual_view
from kneeline.io.trc import MarkerSet
from kneeline.kinematics.angles import fppa_points
from kneeline.pose.container import FloatArray, PoseSeries

N_SAMPLES = 101
"""Samples per time-normalised repetition (0, 1, ..., 100 % of the repetition)."""

CURVE_POINTS = tuple(range(0, N_SAMPLES, 10))
"""Samples of each curve given to the classifiers as whole-curve features (every 10 %)."""

_JOINTS = ("shoulder", "hip", "knee", "ankle", "heel", "foot_index")

Points = dict[str, FloatArray]
"""Keypoint name -> ``(101, 2)`` time-normalised pixel positions (image ``y`` down)."""


def time_normalise(values: FloatArray, n: int = N_SAMPLES) -> FloatArray:
    """Resample ``(time, ...)`` values to ``n`` samples spread evenly from first to last frame.

    Each column is interpolated linearly over its finite samples; an all-NaN column stays NaN.
    """
    v = np.asarray(values, dtype=np.float64)
    flat = v.reshape(v.shape[0], -1)
    src = np.linspace(0.0, 1.0, v.shape[0])
    dst = np.linspace(0.0, 1.0, n)
    out = np.full((n, flat.shape[1]), np.nan)
    for j in range(flat.shape[1]):
        good = np.isfinite(flat[:, j])
        if good.sum() >= 2:
            out[:, j] = np.interp(dst, src[good], flat[good, j])
    return out.reshape((n,) + v.shape[1:])


def _normalised_points(pose: PoseSeries) -> Points:
    return {k: time_normalise(pose.xy(k)) for k in pose.keypoints}


def _deg(y: FloatArray, x: FloatArray) -> FloatArray:
    out: FloatArray = np.degrees(np.arctan2(y, x))
    return out


def _leg_len(p: Points, side: str) -> FloatArray:
    h, k, a = p[f"{side}_hip"], p[f"{side}_knee"], p[f"{side}_ankle"]
    out: FloatArray = np.linalg.norm(h - k, axis=-1) + np.linalg.norm(k - a, axis=-1)
    return out


def active_side(front: Points, side: Points, rule: str = "ankle_travel") -> str:
    """``"left"`` or ``"right"``: the active leg of one repetition, from its 2D images alone.

    ``rule``: ``"ankle_travel"``, the leg whose ankle travels further (front + side image, per leg
    length: the stepping leg, the moving foot of a lunge); ``"leg_shortening"``, the leg whose
    hip-ankle distance shrinks more (the bending leg of a side lunge).
    """
    if rule == "right":
        return "right"
    if rule not in ("ankle_travel", "leg_shortening"):
        raise ValueError(f"active-side rule must be 'ankle_travel' or 'leg_shortening'; got {rule!r}")
    score = {}
    for s in ("left", "right"):
        total = 0.0
        for p in (front, side):
            leg = float(np.nanmax(_leg_len(p, s)))
            if rule == "ankle_travel":
                a = p[f"{s}_ankle"]
                total += float(np.nanmax(np.linalg.norm(a - a[:1], axis=-1))) / leg
            else:
                d = np.linalg.norm(p[f"{s}_hip"] - p[f"{s}_ankle"], axis=-1)
                total += float(np.nanmax(d) - np.nanmin(d)) / leg
        score[s] = total
    return "left" if score["left"] >= score["right"] else "right"


def _roles(p: Points, act: str) -> Points:
    """Re-key ``left_*``/``right_*`` as ``act_*``/``pas_*``."""
    pas = "right" if act == "left" else "left"
    return {f"{role}_{j}": p[f"{s}_{j}"] for role, s in (("act", act), ("pas", pas)) for j in _JOINTS}


def frontal_curves(p: Points) -> dict[str, FloatArray]:
    """Frontal-image curves of one repetition (``p`` keyed by role, see :func:`_roles`)."""
    leg = float(np.nanmax((_leg_len_roles(p, "act") + _leg_len_roles(p, "pas")) / 2))
    hip_a, hip_p, kn_a, kn_p = p["act_hip"], p["pas_hip"], p["act_knee"], p["pas_knee"]
    an_a, an_p, sh_a, sh_p = p["act_ankle"], p["pas_ankle"], p["act_shoulder"], p["pas_shoulder"]
    lat = float(np.sign(np.nanmedian(hip_a[:, 0] - hip_p[:, 0])) or 1.0)  # image x towards the active side
    mid_hip, mid_sh, mid_an = (hip_a + hip_p) / 2, (sh_a + sh_p) / 2, (an_a + an_p) / 2
    trunk = mid_sh - mid_hip
    knee_w = np.abs(kn_a[:, 0] - kn_p[:, 0])
    return {
        "f_knee_ankle_ratio": knee_w / np.abs(an_a[:, 0] - an_p[:, 0]),
        "f_knee_hip_ratio": knee_w / np.abs(hip_a[:, 0] - hip_p[:, 0]),
        "f_fppa_act": fppa_points(hip_a, kn_a, an_a, hip_p),
        "f_fppa_pas": fppa_points(hip_p, kn_p, an_p, hip_a),
        "f_trunk_lean": _deg(lat * trunk[:, 0], -trunk[:, 1]),
        "f_pelvis_obliquity": _deg(hip_p[:, 1] - hip_a[:, 1], np.abs(hip_a[:, 0] - hip_p[:, 0])),
        "f_shoulder_obliquity": _deg(sh_p[:, 1] - sh_a[:, 1], np.abs(sh_a[:, 0] - sh_p[:, 0])),
        "f_depth": (mid_hip[:, 1] - np.nanmin(mid_hip[:, 1])) / leg,
        "f_hip_shift": lat * (mid_hip[:, 0] - mid_an[:, 0]) / leg,
        "f_trunk_shift": lat * trunk[:, 0] / leg,
        "f_knee_medial_act": -lat * (kn_a[:, 0] - an_a[:, 0]) / leg,
        "f_knee_medial_pas": lat * (kn_p[:, 0] - an_p[:, 0]) / leg,
        "f_ankle_lift": (an_p[:, 1] - an_a[:, 1]) / leg,
        "f_stance_width": np.abs(an_a[:, 0] - an_p[:, 0]) / leg,
    }


def _leg_len_roles(p: Points, role: str) -> FloatArray:
    h, k, a = p[f"{role}_hip"], p[f"{role}_knee"], p[f"{role}_ankle"]
    out: FloatArray = np.linalg.norm(h - k, axis=-1) + np.linalg.norm(k - a, axis=-1)
    return out


def side_curves(p: Points) -> dict[str, FloatArray]:
    """Side-image curves of one repetition (``p`` keyed by role, see :func:`_roles`)."""
    leg = float(np.nanmax((_leg_len_roles(p, "act") + _leg_len_roles(p, "pas")) / 2))
    foot = np.concatenate([p[f"{r}_foot_index"][:, 0] - p[f"{r}_heel"][:, 0] for r in ("act", "pas")])
    fwd = float(np.sign(np.nanmedian(foot)) or 1.0)  # image x in the facing direction
    mid_hip = (p["act_hip"] + p["pas_hip"]) / 2
    mid_sh = (p["act_shoulder"] + p["pas_shoulder"]) / 2
    mid_an = (p["act_ankle"] + p["pas_ankle"]) / 2
    mid_kn = (p["act_knee"] + p["pas_knee"]) / 2
    trunk = mid_sh - mid_hip
    out = {
        "s_trunk_lean": _deg(fwd * trunk[:, 0], -trunk[:, 1]),
        "s_depth": (mid_hip[:, 1] - np.nanmin(mid_hip[:, 1])) / leg,
        "s_hip_below_knee": (mid_hip[:, 1] - mid_kn[:, 1]) / leg,
        "s_hip_fwd": fwd * (mid_hip[:, 0] - mid_an[:, 0]) / leg,
        "s_shoulder_fwd": fwd * (mid_sh[:, 0] - mid_an[:, 0]) / leg,
    }
    for r in ("act", "pas"):
        sh, hip, kn, an = p[f"{r}_shoulder"], p[f"{r}_hip"], p[f"{r}_knee"], p[f"{r}_ankle"]
        heel, toe = p[f"{r}_heel"], p[f"{r}_foot_index"]
        out[f"s_hip_angle_{r}"] = angle_at(sh, hip, kn)
        out[f"s_knee_angle_{r}"] = angle_at(hip, kn, an)
        out[f"s_ankle_angle_{r}"] = angle_at(kn, an, toe)
        out[f"s_shin_{r}"] = _deg(fwd * (kn[:, 0] - an[:, 0]), an[:, 1] - kn[:, 1])
        out[f"s_thigh_{r}"] = _deg(fwd * (kn[:, 0] - hip[:, 0]), kn[:, 1] - hip[:, 1])
        out[f"s_knee_over_toe_{r}"] = fwd * (kn[:, 0] - toe[:, 0]) / leg
        out[f"s_heel_lift_{r}"] = (toe[:, 1] - heel[:, 1]) / leg
    return out


def rep_curves(markers: MarkerSet, rule: str = "ankle_travel") -> tuple[dict[str, FloatArray], str]:
    """All 101-sample curves of one repetition and its active side (by ``rule``, see :func:`active_side`)."""
    markers = with_hip_centres(markers)
    front, _ = virtual_view(markers, CLASSIFY_MAPPING, yaw_deg=0.0)
    side, _ = virtual_view(markers, CLASSIFY_MAPPING, yaw_deg=90.0)
    pf, ps = _normalised_points(front), _normalised_points(side)
    act = active_side(pf, ps, rule)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        curves = {**frontal_curves(_roles(pf, act)), **side_curves(_roles(ps, act))}
    return curves, act


def summarise(curves: Mapping[str, FloatArray], bottom: int | None = None) -> dict[str, float]:
    """Summary statistics and every-10 % samples of each curve.

    Per curve: ``min``, ``max``, ``mean``, ``range``, ``tmin``/``tmax`` (time of the extremum, 0-1),
    ``bottom`` (value at the deepest frontal frame, ``argmax`` of ``f_depth`` unless given),
    ``dmin``/``dmax``/``dbottom`` (the same relative to the first sample: change from the starting
    posture, which removes a subject's build and marker placement), and ``c000``..``c100`` (the curve
    at 0, 10, ..., 100 %).
    """
    if bottom is None:
        bottom = int(np.nanargmax(curves["f_depth"]))
    out: dict[str, float] = {}
    for name, c in curves.items():
        c = np.asarray(c, dtype=np.float64)
        if not np.isfinite(c).any():
            raise ValueError(f"curve {name} has no finite value; a keypoint is missing in the whole repetition")
        lo, hi = float(np.nanmin(c)), float(np.nanmax(c))
        out.update({f"{name}:min": lo, f"{name}:max": hi, f"{name}:mean": float(np.nanmean(c)),
                    f"{name}:range": hi - lo, f"{name}:tmin": float(np.nanargmin(c)) / (c.size - 1),
                    f"{name}:tmax": float(np.nanargmax(c)) / (c.size - 1), f"{name}:bottom": float(c[bottom])})
        start = float(c[0])
        out.update({f"{name}:dmin": lo - start, f"{name}:dmax": hi - start,
                    f"{name}:dbottom": float(c[bottom]) - start})
        out.update({f"{name}:c{i:03d}": float(c[i]) for i in CURVE_POINTS})
    return out


def rep_features(markers: MarkerSet, rule: str = "ankle_travel") -> dict[str, float]:
    """Every feature of one repetition (:func:`summarise` of :func:`rep_curves`) plus ``tempo:duration_s``.

    ``tempo:duration_s`` (the repetition's length) is kept apart: the classifier leaves it out
    unless asked, as it measures speed, not form.
    """
    curves, _ = rep_curves(markers, rule)
    feats = summarise(curves)
    feats["tempo:duration_s"] = float(markers.time_s[-1] - markers.time_s[0])
    return feats
