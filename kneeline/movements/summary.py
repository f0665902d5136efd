"""Summaries over repetitions: mean, spread and the smallest detectable difference."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kneeline.evidence import load_sourced
from kneeline.report.result import Asymmetry, MetricSummary, Rep, SideSummary, Summary

__all__ = ["METRIC_SDD_KEYS", "summarise_metric", "side_summary", "asymmetry", "build_summary"]

METRIC_SDD_KEYS: dict[str, str] = {
    "fppa_deg": "fppa_sdd_deg",
    "pelvic_drop_deg": "pelvic_drop_sdd_deg",
    "pelvic_drop_max_deg": "pelvic_drop_sdd_deg",
    "pelvic_obliquity_deg": "pelvic_obliquity_sdd_deg",
    "trunk_lean_deg": "trunk_lean_sdd_deg",
}
"""Metric name -> entry of ``measurement.yaml`` holding its SDD (metrics without one get none)."""

_UNITS = {"depth": "fraction of leg length", "hold_s": "s"}


def summarise_metric(name: str, values: Sequence[float | None]) -> MetricSummary:
    """Mean, SD (n-1), range and SDD of one metric over reps; None values are skipped."""
    arr = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=np.float64)
    sdd = src = None
    if name in METRIC_SDD_KEYS:
        entry = load_sourced("measurement.yaml")[METRIC_SDD_KEYS[name]]
        sdd, src = float(entry.value), entry.source  # type: ignore[arg-type]
    if arr.size == 0:
        return MetricSummary(mean=None, sd=None, n=0, unit=_UNITS.get(name, "deg"), sdd=sdd, sdd_source=src)
    return MetricSummary(
        mean=round(float(arr.mean()), 2),
        sd=round(float(arr.std(ddof=1)), 2) if arr.size > 1 else None,
        n=int(arr.size), min=round(float(arr.min()), 2), max=round(float(arr.max()), 2),
        unit=_UNITS.get(name, "deg"), sdd=sdd, sdd_source=src,
    )


def side_summary(reps: Sequence[Rep], fields: dict[str, str]) -> SideSummary | None:
    """Summarise ``reps`` (already of one side) for each ``metric name -> Rep field``."""
    if not reps:
        return None
    metrics = {name: summarise_metric(name, [getattr(r, attr) for r in reps]) for name, attr in fields.items()}
    return SideSummary(reps=len(reps), metrics=metrics)


def asymmetry(left: SideSummary | None, right: SideSummary | None) -> dict[str, Asymmetry]:
    """Left minus right for every metric both sides have, judged against its SDD."""
    if left is None or right is None:
        return {}
    out: dict[str, Asymmetry] = {}
    for name, lm in left.metrics.items():
        rm = right.metrics.get(name)
        if rm is None or lm.mean is None or rm.mean is None:
            continue
        diff = round(lm.mean - rm.mean, 2)
        exceeds = None if lm.sdd is None else abs(diff) > lm.sdd
        note = "" if lm.sdd is not None else "no published smallest detectable difference for this metric"
        out[name] = Asymmetry(difference=diff, exceeds_sdd=exceeds, note=note)
    return out


def build_summary(left_reps: Sequence[Rep], right_reps: Sequence[Rep], left_fields: dict[str, str],
                  right_fields: dict[str, str], both_reps: Sequence[Rep] = (),
                  both_fields: dict[str, str] | None = None) -> Summary:
    """Assemble a :class:`Summary` from per-side reps and the metrics to summarise."""
    left = side_summary(left_reps, left_fields)
    right = side_summary(right_reps, right_fields)
    both = side_summary(both_reps, both_fields) if both_fields else None
    return Summary(left=left, right=right, both=both, asymmetry=asymmetry(left, right))
