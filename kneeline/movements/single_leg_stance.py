"""Single-leg stance (Trendelenburg test): hold time, pelvic drop over time, trunk-lean compensation.

A hold is a stretch of at least ``hold_min_s`` with one foot lifted.  It ends when the lifted
foot touches down, when the pelvis drops more than the threshold of ``movement_tests.yaml`` below
its level at the start of the hold (sustained for ``_SUSTAIN_S``), or when the video ends.  The
protocol's target (30 s) is data too.
"""

from __future__ import annotations

import numpy as np

from kneeline.clean.filters import nan_runs
from kneeline.config import AnalysisSettings
from kneeline.evidence import value
from kneeline.kinematics.angles import Leg, contralateral_pelvic_drop, trunk_lean_toward
from kneeline.movements.common import Signals, lifted_masks, round_or_none
from kneeline.movements.summary import build_summary
from kneeline.pose.container import FloatArray
from kneeline.report.result import Rep, Summary

__all__ = ["analyse_single_leg_stance", "STANCE_FIELDS"]

STANCE_FIELDS: dict[str, str] = {"hold_s": "hold_s", "pelvic_drop_max_deg": "pelvic_drop_max_deg",
                                 "trunk_lean_deg": "trunk_lean_deg"}

_BASELINE_S = 0.5
_SUSTAIN_S = 0.5


def _holds(signals: Signals, time_s: FloatArray, threshold: float, min_s: float) -> list[tuple[int, int, Leg]]:
    """Return ``(start, stop, stance)`` index ranges where one foot is lifted long enough."""
    left_stance, right_stance = lifted_masks(signals, threshold)
    out: list[tuple[int, int, Leg]] = []
    for leg, mask in (("left", left_stance), ("right", right_stance)):
        for start, stop in nan_runs(mask):
            if time_s[stop - 1] - time_s[start] >= min_s:
                out.append((start, stop, leg))  # type: ignore[arg-type]
    return sorted(out)


def _drop_onset(drop: FloatArray, time_s: FloatArray, threshold: float) -> int | None:
    """First index where drop exceeds its start level by ``threshold`` for ``_SUSTAIN_S``."""
    base_mask = time_s - time_s[0] <= _BASELINE_S
    base = np.nanmedian(drop[base_mask]) if np.isfinite(drop[base_mask]).any() else np.nan
    if not np.isfinite(base):
        return None
    above = np.nan_to_num(drop - base, nan=-np.inf) > threshold
    for start, stop in nan_runs(above):
        if time_s[stop - 1] - time_s[start] >= _SUSTAIN_S:
            return int(start)
    return None


def _hold_rep(index: int, start: int, stop: int, stance: Leg, signals: Signals, video_end: int) -> Rep:
    tab = signals.table
    t = tab.time_s[start:stop]
    drop = contralateral_pelvic_drop(tab.pelvic_obliquity_deg[start:stop], stance)
    lean = trunk_lean_toward(tab.trunk_lean_deg[start:stop], stance)
    threshold = float(value("movement_tests.yaml", "stance_drop_threshold_deg"))
    onset = _drop_onset(drop, t, threshold) if signals.pelvis_ok else None
    end = stop - 1
    ended_by = "video ended" if stop >= video_end else "foot down"
    if onset is not None:
        end, ended_by = start + onset, "pelvis dropped"
    target = float(value("movement_tests.yaml", "trendelenburg_hold_s"))
    hold = float(tab.time_s[end] - tab.time_s[start])
    if hold >= target and ended_by != "pelvis dropped":
        ended_by = f"held {target:g} s"
    peak = int(np.nanargmax(drop)) if np.isfinite(drop).any() else 0
    frontal = signals.pelvis_ok
    return Rep(
        index=index, side=stance, start_s=round(float(t[0]), 3), bottom_s=round(float(t[peak]), 3),
        end_s=round(float(tab.time_s[end]), 3), hold_s=round(min(hold, target), 2),
        pelvic_drop_max_deg=round_or_none(float(np.nanmax(drop))) if frontal and np.isfinite(drop).any() else None,
        pelvic_drop_deg=round_or_none(float(drop[peak])) if frontal else None,
        trunk_lean_deg=round_or_none(float(np.nanmean(lean))) if frontal and np.isfinite(lean).any() else None,
        ended_by=ended_by, stance_detected=stance,
    )


def analyse_single_leg_stance(signals: Signals, settings: AnalysisSettings,
                              side: Leg | None = None) -> tuple[list[Rep], Summary, list[str]]:
    """Find single-leg holds and measure each.

    Returns
    -------
    tuple
        One :class:`Rep` per hold (``hold_s``, ``pelvic_drop_max_deg``, mean trunk lean toward the
        stance leg, ``ended_by``), the summary per stance leg, and notes.
    """
    tab = signals.table
    holds = _holds(signals, tab.time_s, settings.foot_lift, settings.hold_min_s)
    notes: list[str] = []
    if side is not None:
        other = [h for h in holds if h[2] != side]
        if other:
            notes.append(f"{len(other)} hold(s) on the {other[0][2]} leg were left out: you asked for the {side} leg.")
        holds = [h for h in holds if h[2] == side]
    reps = [_hold_rep(i + 1, a, b, leg, signals, tab.time_s.size) for i, (a, b, leg) in enumerate(holds)]
    left = [r for r in reps if r.side == "left"]
    right = [r for r in reps if r.side == "right"]
    summary = build_summary(left, right, STANCE_FIELDS, STANCE_FIELDS)
    return reps, summary, notes
