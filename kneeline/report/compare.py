"""Before/after comparison of two assessments of the same movement test.

Per metric (and side) the change from the first to the second assessment, judged against the
metric's smallest detectable difference (SDD, ``measurement.yaml``): a change within the SDD is
"no measurable change"; a metric without a published SDD shows its change but is never called a
change; a metric withheld by the capture gate in either assessment (null in ``result.json``) is
"not comparable", with the reason.  Two different tests, or two people's assessments, are not
compared at all.

Reps are matched in order (per stance leg in single-leg tests): the first rep of one assessment
with the first of the other, and so on; the web page plays matched reps side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kneeline.report.result import AnalysisResult, MetricSummary, Rep
from kneeline.report.source import AnalysisSource

__all__ = ["MetricChange", "RepPair", "Comparison", "compare", "METRIC_LABELS", "NOT_MEASURED"]

NOT_MEASURED = "not measured from this view"
"""What a withheld value (null in ``result.json``) is called wherever kneeline would show it."""

METRIC_LABELS: dict[str, str] = {
    "fppa_deg": "Knee angle (FPPA)",
    "pelvic_drop_deg": "Pelvic drop",
    "pelvic_drop_max_deg": "Largest pelvic drop",
    "pelvic_obliquity_deg": "Pelvic obliquity",
    "trunk_lean_deg": "Trunk lean",
    "depth": "Depth",
    "hold_s": "Hold time",
}
"""Plain names of the summary metrics."""

Verdict = Literal["changed", "no measurable change", "no SDD", "not comparable"]


@dataclass(frozen=True)
class MetricChange:
    """One metric of one side in both assessments.

    Attributes
    ----------
    side, metric, label, unit
        Which metric, and its plain name and unit.
    before, after
        The two summaries (mean ± SD over reps).
    change
        ``after.mean - before.mean``; None when not comparable.
    sdd, sdd_source
        The smallest detectable difference and its source (None where there is none).
    verdict
        ``"changed"``, ``"no measurable change"``, ``"no SDD"`` or ``"not comparable"``.
    text
        The verdict in plain words, with the reason where it is not comparable.
    """

    side: str
    metric: str
    label: str
    unit: str
    before: MetricSummary
    after: MetricSummary
    change: float | None
    sdd: float | None
    sdd_source: str | None
    verdict: Verdict
    text: str


@dataclass(frozen=True)
class RepPair:
    """Two matched reps, one of each assessment."""

    side: str
    before: Rep
    after: Rep


@dataclass(frozen=True)
class Comparison:
    """The comparison of two assessments (``comparable`` False: ``reason`` says why not)."""

    before: AnalysisSource
    after: AnalysisSource
    comparable: bool
    reason: str = ""
    metrics: list[MetricChange] = field(default_factory=list)
    pairs: list[RepPair] = field(default_factory=list)


def _unit(m: MetricSummary) -> str:
    return "°" if m.unit == "deg" else f" {m.unit}"


def _judge(name: str, before: MetricSummary, after: MetricSummary) -> tuple[float | None, Verdict, str]:
    """The change of one metric and its verdict."""
    missing = [when for when, m in (("first", before), ("second", after)) if m.mean is None]
    if missing:
        return None, "not comparable", (f"not comparable: {NOT_MEASURED} in the {' and the '.join(missing)} "
                                         "assessment (withheld by the capture check)")
    assert before.mean is not None and after.mean is not None
    change = round(after.mean - before.mean, 2)
    unit = _unit(before)
    if before.sdd is None:
        return change, "no SDD", (f"changed by {change:+.1f}{unit}; there is no published smallest detectable "
                                  "difference for this measure, so this is not called a change")
    if abs(change) > before.sdd:
        return change, "changed", (f"changed by {change:+.1f}{unit}, more than the smallest detectable difference "
                                   f"of {before.sdd:g}{unit}")
    return change, "no measurable change", (f"no measurable change ({change:+.1f}{unit} is within the smallest "
                                            f"detectable difference of {before.sdd:g}{unit})")


def _metric_changes(first: AnalysisResult, second: AnalysisResult) -> list[MetricChange]:
    out = []
    for side in ("left", "right", "both"):
        a, b = getattr(first.summary, side), getattr(second.summary, side)
        if a is None or b is None:
            continue
        for name, before in a.metrics.items():
            after = b.metrics.get(name)
            if after is None:
                continue
            change, verdict, text = _judge(name, before, after)
            out.append(MetricChange(side=side, metric=name, label=METRIC_LABELS.get(name, name), unit=before.unit,
                                    before=before, after=after, change=change, sdd=before.sdd,
                                    sdd_source=before.sdd_source, verdict=verdict, text=text))
    return out


def _pairs(first: AnalysisResult, second: AnalysisResult) -> list[RepPair]:
    out: list[RepPair] = []
    for side in ("left", "right", "both"):
        a = [r for r in first.reps if r.side == side]
        b = [r for r in second.reps if r.side == side]
        out.extend(RepPair(side=side, before=x, after=y) for x, y in zip(a, b, strict=False))
    return sorted(out, key=lambda p: p.before.bottom_s)


def compare(before: AnalysisSource, after: AnalysisSource) -> Comparison:
    """Compare two assessments (see the module docstring).

    Parameters
    ----------
    before
        The earlier assessment.
    after
        The later assessment.

    Returns
    -------
    Comparison
        ``comparable`` is False, with the reason, for two different tests or two people's
        assessments; otherwise every metric's change with its verdict and the matched reps.
    """
    first, second = before.result, after.result
    if first.test != second.test:
        return Comparison(before, after, False, f"not comparable: these are two different tests ({first.test} and "
                                               f"{second.test}); compare two assessments of the same test.")
    if before.patient is not None and after.patient is not None and before.patient != after.patient:
        return Comparison(before, after, False, "not comparable: the two assessments belong to two different "
                                               "people; compare assessments of the same person.")
    if first.provenance.input_sha256 == second.provenance.input_sha256 and first.reps == second.reps:
        reason = "the same video was analysed twice, so every change is zero"
    else:
        reason = ""
    return Comparison(before, after, True, reason, _metric_changes(first, second), _pairs(first, second))
