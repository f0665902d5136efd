"""The steps of a gait analysis as a plain table (text cells) for the results page.

One row per step (each stance the gait test found, in time order): the foot, when it came down and
lifted, and the values read half-way through the step.  A value kneeline did not give says
"not measured" and why, in the step's own words (:attr:`~kneeline.report.result.Step.withheld`),
never a dash.  The measure names are the results page's (:data:`kneeline.report.plain.MEASURE_NAMES`).
"""

from __future__ import annotations

from kneeline.report.plain import MEASURE_NAMES, UNIT_DEG, degrees_text
from kneeline.report.result import AnalysisResult, Step
from kneeline.report.tables import TextTable

__all__ = ["STEP_MEASURES", "step_table"]

STEP_MEASURES: tuple[tuple[str, str], ...] = (
    ("pelvic_drop_deg", "pelvic drop"),
    ("fppa_deg", "knee angle"),
    ("trunk_lean_deg", "trunk lean"),
)
"""Step field -> how :attr:`Step.withheld` names it (the text before its first colon)."""

STEP_NOTE = ("Each value is read half-way through the step, while that foot carries the body. Hip drop: how much "
             "lower the hip of the swinging leg is. Knee angle: how far the standing knee moves inward (+) or "
             "outward (−) in the picture. Upper-body lean: how far the body leans toward the standing leg.")
"""What the step values mean, in plain words (shown under the table)."""


def _seconds(x: float | None, missing: str) -> str:
    return missing if x is None else f"{x:.2f}"


def _value(step: Step, field: str, name: str) -> str:
    """The value with its unit, or "not measured: <why>"."""
    x = getattr(step, field)
    if x is not None:
        return f"{0.0 if round(x, 1) == 0 else x:.1f}{UNIT_DEG}"  # no "-0.0"
    if step.contact_s is None or step.toe_off_s is None:
        return "not measured: only part of this step is in the video"
    reasons = [w.split(":", 1)[1].strip() for w in step.withheld if w.split(":", 1)[0].lower().startswith(name)]
    return f"not measured: {degrees_text(reasons[0])}" if reasons else "not measured: not seen clearly at this step"


def step_table(result: AnalysisResult) -> TextTable:
    """One row per step: number, foot, foot down and off times, and the step's values (or why not).

    Parameters
    ----------
    result
        A gait analysis (``result.steps``); other tests have no steps and give an empty table.

    Returns
    -------
    TextTable
        Caption, headers ("Step", "Foot", "Foot down at (s)", "Foot off at (s)" and the measures) and rows.
    """
    headers = ["Step", "Foot", "Foot down at (s)", "Foot off at (s)",
               *(MEASURE_NAMES[field] for field, _ in STEP_MEASURES)]
    rows = [[str(s.index), s.side.capitalize(), _seconds(s.contact_s, "already down at the start"),
             _seconds(s.toe_off_s, "still down at the end"), *(_value(s, field, name) for field, name in STEP_MEASURES)]
            for s in result.steps]
    complete = sum(1 for s in result.steps if s.contact_s is not None and s.toe_off_s is not None)
    caption = (f"Your steps: {len(result.steps)} found, {complete} with the foot seen coming down and lifting "
               "again")
    return TextTable(caption, headers, rows)
