"""The progress page's content: series over time and which changes are larger than the noise.

A change in a video measure is called a change only when it exceeds the metric's smallest
detectable difference (SDD, stored with each result); questionnaire changes are judged by their
minimal important change (:func:`kneeline.assess.questionnaires.interpret_change`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kneeline.assess.questionnaires import interpret_change
from kneeline.report.result import AnalysisResult
from kneeline.store.models import Analysis
from kneeline.store.records import outcome_rows, session_rows, stored_result
from kneeline.web.charts import Point, Series, line_chart

__all__ = ["progress_context", "movement_changes", "METRIC_LABELS"]

METRIC_LABELS: dict[str, tuple[str, str]] = {
    "fppa_deg": ("Knee angle, inward movement", "°"),
    "pelvic_drop_deg": ("Hip drop", "°"),
    "pelvic_drop_max_deg": ("Largest hip drop", "°"),
    "hold_s": ("Time on one leg", " s"),
    "trunk_lean_deg": ("Upper-body lean", "°"),
    "pelvic_obliquity_deg": ("Hip tilt", "°"),
    "depth": ("Depth, share of leg length", ""),
}


def _movement_series(session: Session, patient_id: int) -> dict[tuple[str, str], dict[str, list[tuple[Point, Any]]]]:
    rows = session.scalars(select(Analysis).where(Analysis.patient_id == patient_id, Analysis.kind == "test",
                                                  Analysis.status == "done").order_by(Analysis.id)).all()
    out: dict[tuple[str, str], dict[str, list[tuple[Point, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        result = stored_result(row)  # None for a damaged row: logged, left out of the charts
        if not isinstance(result, AnalysisResult):
            continue
        for side_name in ("left", "right", "both"):
            side = getattr(result.summary, side_name)
            if side is None:
                continue
            for metric, m in side.metrics.items():
                if metric in METRIC_LABELS and m.mean is not None:
                    point = Point(row.created_at.date(), m.mean, m.sd)
                    out[(row.test, metric)][side_name].append((point, m))
    return out


def movement_changes(series: dict[str, list[tuple[Point, Any]]], label: str, unit: str) -> list[str]:
    """First vs latest value of each side, stated as a change only when larger than the SDD."""
    texts = []
    for side, values in series.items():
        if len(values) < 2:
            continue
        (first, _), (last, m) = values[0], values[-1]
        diff = last.value - first.value
        sdd = m.sdd
        if sdd is None:
            texts.append(f"{label}, {side}: {first.value:.1f}{unit} → {last.value:.1f}{unit}; no smallest "
                         "detectable difference is known for this measure, so no change is claimed.")
        elif abs(diff) > sdd:
            texts.append(f"{label}, {side}: {first.value:.1f}{unit} → {last.value:.1f}{unit} ({diff:+.1f}), "
                         f"larger than the smallest detectable difference ({sdd:.1f}{unit}): a real change.")
        else:
            texts.append(f"{label}, {side}: {first.value:.1f}{unit} → {last.value:.1f}{unit} ({diff:+.1f}), "
                         f"within measurement noise (smallest detectable difference {sdd:.1f}{unit}): "
                         "no change shown yet.")
    return texts


def _outcome_charts(session: Session, patient_id: int) -> tuple[list[Any], list[str]]:
    rows = outcome_rows(session, patient_id)
    charts, changes = [], []
    for measure, label, unit, rng in (("akps", "AKPS (higher is better)", "", (0.0, 100.0)),
                                      ("koos_pf", "KOOS-PF (higher is better)", "", (0.0, 100.0))):
        pts = [Point(r.taken_on, float(getattr(r, measure))) for r in rows if getattr(r, measure) is not None]
        charts.append(line_chart(label, [Series(label.split(" ")[0], pts)], unit, rng, y_label="Score (0–100)"))
        if len(pts) >= 2:
            changes.append(interpret_change(measure, pts[0].value, pts[-1].value).text)  # type: ignore[arg-type]
    nprs = [r for r in rows if r.nprs is not None]
    if len(nprs) >= 2:
        changes.append(interpret_change("nprs", float(nprs[0].nprs or 0), float(nprs[-1].nprs or 0)).text)
    return charts, changes


def progress_context(session: Session, patient_id: int) -> dict[str, Any]:
    """Charts (inline SVG) and change statements for the progress page."""
    sessions = session_rows(session, patient_id)
    before = [Point(s.session_date, float(s.entry["pain_before"])) for s in sessions]
    during = [Point(s.session_date, float(max(e["pain_during"] for e in s.entry["exercises"]))) for s in sessions]
    nprs = [Point(r.taken_on, float(r.nprs)) for r in outcome_rows(session, patient_id) if r.nprs is not None]
    pain_chart = line_chart("Knee pain", [Series("before session", before), Series("worst during", during),
                                          Series("questionnaire", nprs)], "/10", (0.0, 10.0),
                            y_label="Pain (0 = none, 10 = worst)")
    outcome_charts, outcome_changes = _outcome_charts(session, patient_id)
    movement = []
    for (test, metric), by_side in sorted(_movement_series(session, patient_id).items()):
        label, unit = METRIC_LABELS[metric]
        axis = f"{label} ({unit.strip()})" if unit.strip() else label
        chart = line_chart(f"{label} — {test}", [Series(side, [p for p, _ in vals]) for side, vals in by_side.items()],
                           unit, y_label=axis)
        movement.append({"title": f"{label} — {test}", "chart": chart,
                         "changes": movement_changes(by_side, label, unit)})
    return {"pain_chart": pain_chart, "outcome_charts": [c for c in outcome_charts if c],
            "outcome_changes": outcome_changes, "movement": movement, "sessions": sessions}
