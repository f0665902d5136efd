"""Double-leg squat: repetitions and, at each bottom, FPPA of both knees and pelvic obliquity."""

from __future__ import annotations

from kneeline.config import AnalysisSettings
from kneeline.movements.common import Signals, at
from kneeline.movements.reps import detect_reps
from kneeline.movements.summary import build_summary
from kneeline.report.result import Rep, Summary

__all__ = ["analyse_squat"]


def analyse_squat(signals: Signals, settings: AnalysisSettings) -> tuple[list[Rep], Summary]:
    """Segment squats and read the frontal-plane angles at each bottom.

    Returns
    -------
    tuple
        The reps (side ``"both"``) and the summary: left/right FPPA per knee, and pelvic
        obliquity, trunk lean and depth for the whole body.
    """
    tab = signals.table
    events = detect_reps(tab.depth, tab.time_s, min_depth=settings.rep_min_depth,
                         edge_fraction=settings.rep_edge_fraction, min_interval_s=settings.rep_min_interval_s,
                         min_relative=settings.rep_min_relative)
    reps = [
        Rep(index=i + 1, side="both", start_s=round(float(tab.time_s[e.start]), 3),
            bottom_s=round(float(tab.time_s[e.bottom]), 3), end_s=round(float(tab.time_s[e.end]), 3),
            fppa_left_deg=signals.fppa_at("left", e.bottom),
            fppa_right_deg=signals.fppa_at("right", e.bottom),
            pelvic_obliquity_deg=signals.pelvis_at(tab.pelvic_obliquity_deg, e.bottom),
            trunk_lean_deg=signals.pelvis_at(tab.trunk_lean_deg, e.bottom),
            depth=at(tab.depth, e.bottom))
        for i, e in enumerate(events)
    ]
    summary = build_summary(
        reps, reps, {"fppa_deg": "fppa_left_deg"}, {"fppa_deg": "fppa_right_deg"},
        both_reps=reps,
        both_fields={"pelvic_obliquity_deg": "pelvic_obliquity_deg", "trunk_lean_deg": "trunk_lean_deg",
                     "depth": "depth"},
    )
    return reps, summary
