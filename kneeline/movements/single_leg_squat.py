"""Single-leg squat: stance leg per rep, and at each bottom FPPA, pelvic drop, trunk lean, depth."""

from __future__ import annotations

import numpy as np

from kneeline.config import AnalysisSettings
from kneeline.kinematics.angles import Leg, contralateral_pelvic_drop, trunk_lean_toward
from kneeline.movements.common import Signals, at, stance_from_feet
from kneeline.movements.reps import RepEvents, detect_reps
from kneeline.movements.summary import build_summary
from kneeline.report.result import Rep, Summary

__all__ = ["analyse_single_leg_squat", "SIDE_FIELDS"]

SIDE_FIELDS: dict[Leg, dict[str, str]] = {
    "left": {"fppa_deg": "fppa_left_deg", "pelvic_drop_deg": "pelvic_drop_deg",
             "trunk_lean_deg": "trunk_lean_deg", "depth": "depth"},
    "right": {"fppa_deg": "fppa_right_deg", "pelvic_drop_deg": "pelvic_drop_deg",
              "trunk_lean_deg": "trunk_lean_deg", "depth": "depth"},
}
"""Metric name -> Rep field summarised per stance leg."""


def _rep(index: int, e: RepEvents, stance: Leg, detected: Leg | None, signals: Signals) -> Rep:
    tab = signals.table
    b = e.bottom
    drop = contralateral_pelvic_drop(tab.pelvic_obliquity_deg, stance)
    lean = trunk_lean_toward(tab.trunk_lean_deg, stance)
    return Rep(
        index=index, side=stance, start_s=round(float(tab.time_s[e.start]), 3),
        bottom_s=round(float(tab.time_s[b]), 3), end_s=round(float(tab.time_s[e.end]), 3),
        fppa_left_deg=signals.fppa_at("left", b) if stance == "left" else None,
        fppa_right_deg=signals.fppa_at("right", b) if stance == "right" else None,
        pelvic_obliquity_deg=signals.pelvis_at(tab.pelvic_obliquity_deg, b),
        pelvic_drop_deg=signals.pelvis_at(drop, b),
        trunk_lean_deg=signals.pelvis_at(lean, b),
        depth=at(tab.depth, b), stance_detected=detected,
    )


def analyse_single_leg_squat(signals: Signals, settings: AnalysisSettings,
                             side: Leg | None = None) -> tuple[list[Rep], Summary, list[str]]:
    """Segment single-leg squats, find each rep's stance leg and read values at the bottom.

    Parameters
    ----------
    signals
        Per-frame signals.
    settings
        Analysis settings (rep and foot-lift thresholds).
    side
        The stance leg if the user named it; None to detect it per rep from which foot is lifted.

    Returns
    -------
    tuple
        Reps, summary per stance leg with asymmetry, and plain-language notes (e.g. reps where
        both feet stayed down).
    """
    tab = signals.table
    events = detect_reps(tab.depth, tab.time_s, min_depth=settings.rep_min_depth,
                         edge_fraction=settings.rep_edge_fraction, min_interval_s=settings.rep_min_interval_s,
                         min_relative=settings.rep_min_relative)
    reps: list[Rep] = []
    notes: list[str] = []
    for e in events:
        detected = stance_from_feet(signals, e.start, e.end, settings.foot_lift)
        stance = side or detected
        if stance is None:
            notes.append(f"A squat at {tab.time_s[e.bottom]:.1f} s was left out: both feet stayed on the floor, "
                         "so it was not a single-leg squat.")
            continue
        if side is not None and detected is not None and detected != side:
            notes.append(f"Rep at {tab.time_s[e.bottom]:.1f} s: you named the {side} leg, but the {detected} "
                         f"foot seemed to stand. Values are reported for the {side} leg as asked.")
        reps.append(_rep(len(reps) + 1, e, stance, detected, signals))
    left = [r for r in reps if r.side == "left"]
    right = [r for r in reps if r.side == "right"]
    summary = build_summary(left, right, SIDE_FIELDS["left"], SIDE_FIELDS["right"])
    if reps and not np.isfinite(signals.foot_lift_left).any():
        notes.append("Feet were not visible, so the stance leg could not be checked.")
    return reps, summary, notes
