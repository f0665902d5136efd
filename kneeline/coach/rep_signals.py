"""Per-repetition signals for judging a repetition against the person's reference set.

Each counted repetition (or hold) is summarised by a few numbers read from the coaching features
(:mod:`kneeline.coach.signals`) of the *one* camera that filmed it: depth, timing, trunk, hip and
knee angles at the deepest point, knee and stance width, hip shift, and (where the capture gate
shows them) the knee FPPA, lateral trunk lean and pelvic drop.  Lengths are divided by the standing
leg length in the same picture.  The same function serves offline and live coaching, and the
UI-PRMD benchmark that fits their scales (``benchmarks/uiprmd_scales.py``), so the numbers a scale
was fitted on are the numbers it is applied to.

A signal the capture gate withholds in a repetition is None there: never compared or scored.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from kneeline.coach.definitions import MovementLibrary
from kneeline.coach.faults import RepWindow, fppa_reading
from kneeline.coach.signals import Features

__all__ = ["Camera", "RepSignal", "REP_SIGNALS", "SIGNAL_LABELS", "TRANSFERS", "camera_of", "rep_signals"]

Camera = Literal["front", "side"]


@dataclass(frozen=True)
class RepSignal:
    """One per-repetition signal: its name, plain label, unit, and how it relates to views and the gate.

    ``transfers``: the same number from a front and a side camera (vertical distances and times),
    so a set and a reference filmed from different views may be compared on it.
    ``withheld_with``: the gated coach measure whose withholding also withholds this signal.
    """

    name: str
    label: str
    unit: str
    transfers: bool = False
    withheld_with: str | None = None


REP_SIGNALS: tuple[RepSignal, ...] = (
    RepSignal("depth", "depth (how far the hips went down)", "leg lengths", True, "range"),
    RepSignal("rep_s", "time for the repetition", "s", True),
    RepSignal("down_share", "share of the time spent going down", "fraction", True),
    RepSignal("foot_lift", "foot lift", "leg lengths", True),
    RepSignal("trunk_tilt_peak", "trunk tilt at the deepest point", "deg", False, "trunk_lean"),
    RepSignal("trunk_tilt_max", "largest trunk tilt", "deg", False, "trunk_lean"),
    RepSignal("hip_angle_peak", "hip angle at the deepest point", "deg"),
    RepSignal("knee_left_peak", "left knee angle in the picture at the deepest point", "deg"),
    RepSignal("knee_right_peak", "right knee angle in the picture at the deepest point", "deg"),
    RepSignal("knee_gap_peak", "distance between the knees at the deepest point", "leg lengths"),
    RepSignal("knee_width_peak", "knee width over ankle width at the deepest point", "ratio"),
    RepSignal("stance_peak", "angle between the legs at the deepest point", "deg"),
    RepSignal("hip_shift_peak", "hip shift at the deepest point", "leg lengths"),
    RepSignal("fppa_left", "left knee angle (FPPA)", "deg", False, "fppa"),
    RepSignal("fppa_right", "right knee angle (FPPA)", "deg", False, "fppa"),
    RepSignal("trunk_lean", "sideways trunk lean", "deg", False, "trunk_lean"),
    RepSignal("pelvic_drop", "pelvic drop", "deg", False, "pelvic_drop"),
)
"""Every per-repetition signal, in a fixed order."""

SIGNAL_LABELS: dict[str, str] = {s.name: s.label for s in REP_SIGNALS}
TRANSFERS: frozenset[str] = frozenset(s.name for s in REP_SIGNALS if s.transfers)


def camera_of(view: str | None) -> Camera:
    """The camera a repetition was filmed by: ``"side"`` for a sagittal view, else ``"front"``."""
    return "side" if view == "sagittal" else "front"


def _median(values: np.ndarray) -> float | None:
    v = values[np.isfinite(values)]
    return float(np.median(v)) if v.size else None


def _at(values: np.ndarray, i: int) -> float | None:
    v = float(values[i])
    return v if np.isfinite(v) else None


def _measured(feats: Features, w: RepWindow, lib: MovementLibrary) -> dict[str, float | None]:
    rep, pre = slice(w.start, w.end + 1), slice(w.pre, w.start + 1)
    leg = _median(feats["leg_len"][pre])
    hip_y, hip_x = _median(feats["hip_y"][pre]), _median(feats["hip_x"][pre])
    t = w.time_s
    duration = float(t[w.end] - t[w.start])

    def per_leg(value: float | None) -> float | None:
        return None if value is None or leg is None or leg <= 0 else value / leg

    def change(key: str) -> float | None:
        ref = _median(feats[key][pre])
        now = feats[key][rep]
        now = now[np.isfinite(now)]
        return float(np.percentile(np.abs(now - ref), 95)) if ref is not None and now.size else None

    peak_y, peak_x = _at(feats["hip_y"], w.peak), _at(feats["hip_x"], w.peak)
    lift_now = feats["ankle_dy"][rep]
    lift_now = lift_now[np.isfinite(lift_now)]
    lift_rest = _median(feats["ankle_dy"][pre])
    min_ratio, rear = lib.default("fppa_min_segment_ratio"), lib.default("fppa_rear_shank_ratio")
    tilt = feats["trunk_tilt_deg"][rep]
    return {
        "depth": per_leg(None if peak_y is None or hip_y is None else peak_y - hip_y),
        "rep_s": duration,
        "down_share": float(t[w.peak] - t[w.start]) / duration if duration > 0 else None,
        "foot_lift": per_leg(float(lift_now.max()) - lift_rest if lift_now.size and lift_rest is not None else None),
        "trunk_tilt_peak": _at(feats["trunk_tilt_deg"], w.peak),
        "trunk_tilt_max": float(np.nanmax(tilt)) if np.isfinite(tilt).any() else None,
        "hip_angle_peak": _at(feats["hip_angle_deg"], w.peak),
        "knee_left_peak": _at(feats["left_knee_deg"], w.peak),
        "knee_right_peak": _at(feats["right_knee_deg"], w.peak),
        "knee_gap_peak": per_leg(_at(feats["knee_gap"], w.peak)),
        "knee_width_peak": _at(feats["knee_width_ratio"], w.peak),
        "stance_peak": _at(feats["leg_spread_deg"], w.peak),
        "hip_shift_peak": per_leg(None if peak_x is None or hip_x is None else peak_x - hip_x),
        "fppa_left": fppa_reading(feats, w, ["left"], min_ratio, rear),
        "fppa_right": fppa_reading(feats, w, ["right"], min_ratio, rear),
        "trunk_lean": change("trunk_lean_deg"),
        "pelvic_drop": change("obliquity_deg"),
    }


def rep_signals(feats: Features, w: RepWindow, lib: MovementLibrary, withheld: Mapping[str, str],
                view: str | None) -> dict[str, float | None]:
    """Every :data:`REP_SIGNALS` value of one repetition (None where not measured or withheld).

    Parameters
    ----------
    feats
        Coaching features *as shown* (:meth:`kneeline.coach.capture.CoachGate.features`: withheld
        angles are NaN in them).
    w
        The repetition's window (``pre`` starts the rest posture before it).
    lib
        Movement definitions (FPPA foreshortening limits).
    withheld
        Measure -> reason, for the coach measures the gate withholds in this repetition: signals
        read from them are None (a front view's trunk tilt is a sideways lean, withheld with it).
    view
        The repetition's view (``"sagittal"`` = filmed from the side).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # missing keypoints give NaN, read as None
        values = _measured(feats, w, lib)
    out: dict[str, float | None] = {}
    for s in REP_SIGNALS:
        v = values[s.name]
        blocked = s.withheld_with is not None and s.withheld_with in withheld
        if blocked and s.name.startswith("trunk_tilt") and camera_of(view) == "side":
            blocked = False  # from the side the trunk tilt is the forward lean, not the withheld sideways one
        out[s.name] = None if blocked or v is None or not np.isfinite(v) else round(float(v), 4)
    return out
