"""Judging one repetition: which side worked, what the camera saw, each check of the movement.

Every measure reads the per-frame features (:mod:`kneeline.coach.signals`) between a repetition's
start and end, relative to the posture just before it where a change is what matters (pelvic drop,
trunk lean, foreshortening).  A check that needs a camera view the repetition was not filmed from
is skipped and listed in ``not_checked``; thresholds come from ``movements.yaml``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from kneeline.coach.definitions import Check, Movement, MovementLibrary
from kneeline.coach.result import CoachRep, CoachView, Fault
from kneeline.coach.signals import Features
from kneeline.kinematics.angles import Leg
from kneeline.pose.container import FloatArray

__all__ = ["GATED", "RepWindow", "classify_view", "working_side", "rep_leg", "fppa_reading", "measure", "judge_rep"]

GATED = frozenset({"fppa", "pelvic_drop", "trunk_lean"})
"""Measures that are frontal-plane numbers: shown only where the capture gate lets them be."""

_BELOW = frozenset({"knee_width_ratio", "hip_angle_at_peak", "body_line_min", "range", "rep_time", "hold_time"})
"""Measures whose fault is a value *below* the threshold (the others: above)."""


@dataclass(frozen=True)
class RepWindow:
    """Where a repetition lies in the feature arrays: sample indices, times and its size.

    ``pre`` is the first sample of the rest window before ``start`` (the reference posture).
    """

    pre: int
    start: int
    peak: int
    end: int
    time_s: FloatArray
    signal: FloatArray
    amplitude: float
    hold_s: float | None = None


def _finite(values: FloatArray) -> FloatArray:
    v = np.asarray(values, dtype=np.float64)
    out: FloatArray = v[np.isfinite(v)]
    return out


def _median(values: FloatArray) -> float | None:
    v = _finite(values)
    return float(np.median(v)) if v.size else None


def classify_view(feats: Features, start: int, end: int, lib: MovementLibrary) -> CoachView:
    """Camera view over samples ``start..end`` from the 2D body-width ratio."""
    ratio = _median(feats["width_ratio"][start:end + 1])
    if ratio is None:
        return "unknown"
    if ratio >= lib.default("view_frontal_width_ratio"):
        return "frontal"
    if ratio <= lib.default("view_sagittal_width_ratio"):
        return "sagittal"
    return "oblique"


def working_side(movement: Movement, feats: Features, start: int, end: int, side: Leg | None) -> Leg | None:
    """The leg that works in a one-sided movement (None for two-legged ones).

    Given ``side`` wins.  Otherwise: for a leg lift (abduction, clamshell, and movements whose
    ``working_leg`` is ``"moving"``: donkey kick, leg raise) the leg whose ankle moves most; for
    standing single-leg work the leg whose ankle is lower (the stance leg), or higher where
    ``working_leg`` is ``"leading"`` (the foot on the step of a step-up).
    """
    if movement.side == "both":
        return None
    if side is not None:
        return side
    sl = slice(start, end + 1)
    ly, ry = feats["left_ankle_y"][sl], feats["right_ankle_y"][sl]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if movement.signal in ("leg_spread", "knee_opening", "body_line") or movement.working_leg == "moving":
            left_move, right_move = np.nanmax(ly) - np.nanmin(ly), np.nanmax(ry) - np.nanmin(ry)
            if not (np.isfinite(left_move) and np.isfinite(right_move)):
                return None
            return "left" if left_move > right_move else "right"
        lower = np.nanmedian(ly - ry)
    if not np.isfinite(lower):
        return None
    stance: Leg = "left" if lower > 0 else "right"  # image y grows downwards: larger y = lower ankle
    if movement.working_leg == "leading":  # the foot up on the step leads
        return "right" if stance == "left" else "left"
    return stance


def rep_leg(movement: Movement, feats: Features, peak: int, side: Leg | None) -> Leg | None:
    """The leg one repetition loaded, for a movement counted on both legs that loads one per rep (else None).

    Read at the deepest point (sample ``peak``), as ``movement.rep_leg`` says: ``"front"`` (a
    lunge) -- the leg whose ankle lies furthest below its knee in the picture: the front shin
    stands upright, the rear one tips toward the floor, seen from the front or the side;
    ``"bent"`` (a side lunge) -- the leg whose knee angle in the picture is smaller: the other
    leg stays straight.  Given ``side`` wins.  None where a knee or ankle is missing there.
    """
    if movement.rep_leg is None:
        return None
    if side is not None:
        return side
    if movement.rep_leg == "front":
        left = float(feats["left_ankle_y"][peak] - feats["left_knee_y"][peak])
        right = float(feats["right_ankle_y"][peak] - feats["right_knee_y"][peak])
    else:  # "bent": the smaller hip-knee-ankle angle, negated so that the larger number wins
        left, right = -float(feats["left_knee_deg"][peak]), -float(feats["right_knee_deg"][peak])
    if not (np.isfinite(left) and np.isfinite(right)):
        return None
    return "left" if left > right else "right"


def _seg_length(check: Check, feats: Features, side: Leg | None) -> FloatArray:
    assert check.segment is not None
    if set(check.segment) == {"left_hip", "right_hip"}:
        return feats["hip_gap"]
    leg = side or "left"
    return feats[f"{leg}_hip_ankle"]


def fppa_reading(feats: Features, w: RepWindow, sides: list[str], min_ratio: float,
          rear_shank_ratio: float = 0.0) -> float | None:
    """FPPA of ``sides`` (95th percentile) while thigh and shin keep ``min_ratio`` of their standing 2D length.

    FPPA is defined for knee flexion up to 45-60 deg (evidence.md section 1).  Deeper, the thigh
    (or, for a lunge's rear leg, the shin) points at the camera and its 2D direction is noise, so
    frames where either segment is foreshortened below ``min_ratio`` of its length before the rep
    are left out.  A leg whose shin falls below ``rear_shank_ratio`` at any time in the rep is a
    lunge's rear (kneeling) leg: not read at all.  None when no frame is left.
    """
    rep = slice(w.start, w.end + 1)
    pre = slice(w.pre, w.start + 1)
    vals = []
    for s in sides:
        ok = np.ones(w.end + 1 - w.start, dtype=bool)
        for seg in ("thigh", "shank"):
            length = feats[f"{s}_{seg}_len"]
            ref = _median(length[pre])
            if ref is None or ref <= 0:  # this leg was not seen before the rep: no standing length
                ok[:] = False
                break
            with np.errstate(invalid="ignore"):
                ok &= length[rep] >= min_ratio * ref
                if seg == "shank" and np.nanmin(length[rep]) < rear_shank_ratio * ref:
                    ok[:] = False
        vals.append(_finite(feats[f"fppa_{s}_deg"][rep][ok]))
    found = np.concatenate(vals) if vals else np.array([])
    return float(np.percentile(found, 95)) if found.size else None


def measure(check: Check, feats: Features, w: RepWindow, side: Leg | None,
            fppa_min_segment_ratio: float = 0.0, rear_shank_ratio: float = 0.0) -> float | None:
    """The value of ``check.measure`` for one repetition (None where it cannot be measured).

    ``fppa_min_segment_ratio``, ``rear_shank_ratio``: see :func:`fppa_reading` (0 keeps every frame and leg).
    """
    rep = slice(w.start, w.end + 1)
    pre = slice(w.pre, w.start + 1)
    m = check.measure
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if m == "fppa":
            return fppa_reading(feats, w, [side] if side else ["left", "right"], fppa_min_segment_ratio,
                                rear_shank_ratio)
        if m in ("knee_width_ratio", "trunk_forward", "hip_angle_at_peak"):
            key = {"knee_width_ratio": "knee_width_ratio", "trunk_forward": "trunk_tilt_deg",
                   "hip_angle_at_peak": "hip_angle_deg"}[m]
            v = float(feats[key][w.peak])
            return v if np.isfinite(v) else None
        if m in ("trunk_lean", "pelvic_drop"):
            key = "trunk_lean_deg" if m == "trunk_lean" else "obliquity_deg"
            ref = _median(feats[key][pre])
            change = _finite(np.abs(feats[key][rep] - ref)) if ref is not None else np.array([])
            return float(np.percentile(change, 95)) if change.size else None
        if m == "foreshortening":
            length = _seg_length(check, feats, side)
            ref = _median(length[pre])
            now = _finite(length[rep])
            if ref is None or ref <= 0 or now.size == 0:
                return None
            return float(np.degrees(np.arccos(np.clip(np.percentile(now, 10) / ref, 0.0, 1.0))))
        if m == "knee_flexion":  # knee bend (180 - hip-knee-ankle angle) of the leg, or of both legs' mean
            bend = 180.0 - feats[f"{side}_knee_deg"][rep] if side else feats["knee_flexion_deg"][rep]
            vals = _finite(bend)
            return float(np.percentile(vals, 95)) if vals.size else None
        if m == "body_line_min":
            vals = _finite(w.signal[rep])
            return float(np.percentile(vals, 20)) if vals.size else None
        if m == "range":
            return w.amplitude
        if m == "rep_time":
            return float(w.time_s[w.end] - w.time_s[w.start])
        return w.hold_s  # hold_time


def _threshold(check: Check, movement: Movement, typical: float | None, lib: MovementLibrary) -> float | None:
    if check.threshold is not None:
        return float(check.threshold.value)  # type: ignore[arg-type]
    if check.measure == "range":
        assert movement.target_amplitude is not None
        target = float(movement.target_amplitude.value)  # type: ignore[arg-type]
        # Short of the target range, or clearly short of the set's own typical range.
        return target if typical is None else max(target, lib.default("incomplete_relative") * typical)
    entry = movement.min_rep_s if check.measure == "rep_time" else movement.target_hold_s
    return None if entry is None else float(entry.value)  # type: ignore[arg-type]


def _top_hold(w: RepWindow) -> float | None:
    """Time the signal stays within 10% of the amplitude of its peak around the peak."""
    top = w.signal[w.peak] - 0.1 * w.amplitude
    near = np.flatnonzero(w.signal[w.start:w.end + 1] >= top) + w.start
    return float(w.time_s[near[-1]] - w.time_s[near[0]]) if near.size else None


def judge_rep(index: int, movement: Movement, lib: MovementLibrary, feats: Features, w: RepWindow,
              side: Leg | None, typical_amplitude: float | None, *, withheld: Mapping[str, str] | None = None,
              view: CoachView | None = None) -> CoachRep:
    """Measure, check and score one repetition (or hold).

    Parameters
    ----------
    index
        1-based number of the repetition in the set.
    movement, lib
        The movement and the loaded definitions (defaults, fault cues).
    feats
        Per-frame features the window refers to.
    w
        The repetition's window.
    side
        Leg given by the user, or None to find the working leg.
    typical_amplitude
        The set's typical amplitude (median of the counted reps), for the incomplete-range check.
    withheld
        Measure -> reason, for the measures the capture gate withholds in this repetition
        (:class:`kneeline.coach.capture.CoachGate`): they are not checked, and say why.
    view
        The view of this repetition from kneeline's view estimate; None where it is unknown (then
        the 2D width ratio of :func:`classify_view` stands in).  The knee, pelvis and trunk angles
        (:data:`GATED`) follow the capture gate where the view is known; the other checks follow
        the width ratio.
    """
    layout = classify_view(feats, w.start, w.end, lib)
    withheld = withheld or {}
    leg = working_side(movement, feats, w.start, w.end, side)
    t = w.time_s
    hold_s = w.hold_s if movement.kind == "hold" else (_top_hold(w) if movement.hold_at_top else None)
    faults: list[Fault] = []
    not_checked: list[str] = []
    measures: dict[str, float | None] = {}
    checked = 0
    for check in movement.checks:
        if check.measure in withheld:
            measures[check.measure] = None
            not_checked.append(f"{check.fault}: {withheld[check.measure]}")
            continue
        seen = view if check.measure in GATED and view is not None else layout
        if check.view != "any" and check.view != seen and not (seen == "oblique" and check.measure in GATED):
            not_checked.append(f"{check.fault}: needs a {check.view} view (seen: {seen})")
            continue
        value = measure(check, feats, w, leg, lib.default("fppa_min_segment_ratio"),
                        lib.default("fppa_rear_shank_ratio"))
        threshold = _threshold(check, movement, typical_amplitude, lib)
        measures[check.measure] = None if value is None else round(value, 3)
        if value is None or threshold is None:
            why = ("knee angle not readable: the thigh or shin pointed at the camera for the whole rep (readable up "
                   "to about 60 deg of knee bend) or the leg was not seen" if check.measure == "fppa"
                   else "not measurable in this repetition")
            not_checked.append(f"{check.fault}: {why}")
            continue
        checked += 1
        bad = value < threshold if check.measure in _BELOW else value > threshold
        if bad:
            info = lib.faults[check.fault]
            unit = check.threshold.unit if check.threshold is not None else ""
            faults.append(Fault(id=check.fault, label=info.label, cue=info.cue, value=round(value, 2),
                                threshold=round(threshold, 3), unit=unit))
    quality = round(100 * (checked - len(faults)) / checked) if checked else None
    return CoachRep(index=index, side=leg or "both", leg=rep_leg(movement, feats, w.peak, side),
                    start_s=round(float(t[w.start]), 3),
                    peak_s=round(float(t[w.peak]), 3), end_s=round(float(t[w.end]), 3),
                    amplitude=None if "range" in withheld else round(w.amplitude, 3),
                    amplitude_unit=movement.amplitude_unit(),
                    duration_s=round(float(t[w.end] - t[w.start]), 3),
                    down_s=None if movement.kind == "hold" else round(float(t[w.peak] - t[w.start]), 3),
                    up_s=None if movement.kind == "hold" else round(float(t[w.end] - t[w.peak]), 3),
                    hold_s=None if hold_s is None else round(hold_s, 2), view=view or layout, measures=measures,
                    faults=faults, not_checked=not_checked, quality=quality)
