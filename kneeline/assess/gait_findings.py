"""Findings of a gait result (``kneeline analyze --test gait``), worded as information, never a diagnosis.

Reads the per-side summary (``pelvic_drop_deg``, ``pelvic_drop_max_deg``, ``trunk_lean_deg``), the
left-right differences and ``gait`` (step counts, cadence).  The context is the evidence of
``gait.yaml`` and ``measurement.yaml``: 2D contralateral pelvic drop and trunk lean in running are
reliable when at least 7 steps are averaged, with smallest detectable differences of 2.8 deg and
2.3 deg (Dingenen 2018); in runners, more 3D pelvic drop at midstance went with higher odds of a
running injury in a retrospective comparison (Bramah 2018).
"""

from __future__ import annotations

from kneeline.assess.types import Finding, Leg
from kneeline.evidence import Sourced, load_sourced
from kneeline.report.result import AnalysisResult, MetricSummary

__all__ = ["gait_findings"]

_LEGS: tuple[Leg, ...] = ("left", "right")


def _entry(filename: str, key: str) -> Sourced:
    return load_sourced(filename)[key]


def _spread(m: MetricSummary) -> str:
    sd = f" ± {m.sd:.1f}°" if m.sd is not None else ""
    return f"{m.mean:.1f}°{sd} over {m.n} steps"


def _pelvic_drop(side: Leg, m: MetricSummary, peak: MetricSummary | None) -> Finding:
    sdd, odds = _entry("measurement.yaml", "pelvic_drop_sdd_deg"), _entry("gait.yaml", "bramah_odds_per_deg")
    assert m.mean is not None
    verb = "dropped" if m.mean >= 0 else "was higher"
    peak_text = f" (largest drop in the stance {peak.mean:.1f}°)" if peak is not None and peak.mean is not None else ""
    pct = round((float(odds.value) - 1) * 100)  # type: ignore[arg-type]
    return Finding(
        code="gait_pelvic_drop", topic="movement", side=side, test="gait", value=m.mean, spread=m.sd, unit="deg",
        n=m.n, sources=[sdd.source, odds.source], provisional=True,
        text=(f"While you stood on the {side} leg, at midstance the other side of the pelvis {verb} "
              f"{abs(m.mean):.1f}° ({_spread(m)}){peak_text}."),
        reference=(f"For information: in runners filmed in 3D, each 1° more pelvic drop at midstance went with "
                   f"{pct}% higher odds of being in the group with a running injury (Bramah 2018, a comparison "
                   "after the injuries: it does not show that pelvic drop causes injury). This is not a diagnosis."),
        uncertainty=(f"From video, a difference smaller than {sdd.value}° (between sessions or legs) is within "
                     "measurement noise (Dingenen 2018, running)."))


def _trunk_lean(side: Leg, m: MetricSummary) -> Finding:
    sdd = _entry("measurement.yaml", "trunk_lean_sdd_deg")
    assert m.mean is not None
    towards = "towards" if m.mean >= 0 else "away from"
    return Finding(
        code="gait_trunk_lean", topic="movement", side=side, test="gait", value=m.mean, spread=m.sd, unit="deg",
        n=m.n, sources=[sdd.source], provisional=True,
        text=f"While you stood on the {side} leg, the trunk leaned {towards} it: {abs(m.mean):.1f}° ({_spread(m)}).",
        reference="No published norm exists for walking; compare legs and sessions.",
        uncertainty=f"A difference smaller than {sdd.value}° is within measurement noise (Dingenen 2018, running).")


def _differences(result: AnalysisResult) -> list[Finding]:
    out = []
    for metric, label in (("pelvic_drop_deg", "Pelvic drop at midstance"), ("trunk_lean_deg", "Trunk lean")):
        asym = result.summary.asymmetry.get(metric)
        if asym is None or asym.difference is None:
            continue
        noise = "more than" if asym.exceeds_sdd else "within"
        out.append(Finding(code=f"gait_{metric}_asymmetry", topic="movement", test="gait", value=asym.difference,
                           unit="deg", text=(f"{label}: left minus right {asym.difference:+.1f}°, {noise} the "
                                             "measurement noise."),
                           sources=[_entry("measurement.yaml", "pelvic_drop_sdd_deg" if metric == "pelvic_drop_deg"
                                           else "trunk_lean_sdd_deg").source]))
    return out


def gait_findings(result: AnalysisResult) -> list[Finding]:
    """Findings of one gait result: too few steps, or pelvic drop and trunk lean per leg and their difference."""
    gait = result.gait
    out: list[Finding] = []
    if gait is not None:
        out += [Finding(code="gait_message", topic="movement", test="gait", text=msg,
                        sources=[_entry("gait.yaml", "min_steps_per_side").source]) for msg in gait.messages]
    for side in _LEGS:
        summary = getattr(result.summary, side)
        if summary is None:
            continue
        drop = summary.metrics.get("pelvic_drop_deg")
        if drop is not None and drop.mean is not None and drop.n > 0:
            out.append(_pelvic_drop(side, drop, summary.metrics.get("pelvic_drop_max_deg")))
        lean = summary.metrics.get("trunk_lean_deg")
        if lean is not None and lean.mean is not None and lean.n > 0:
            out.append(_trunk_lean(side, lean))
    return out + _differences(result)
