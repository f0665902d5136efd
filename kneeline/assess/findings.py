"""Findings: intake, outcome scores and movement results stated with uncertainty and source.

Movement values come from the ``result.json`` of ``kneeline analyze``
(:class:`kneeline.report.result.AnalysisResult`).  FPPA has no validated diagnostic cut-off, so a value
is only placed against the sex-specific healthy range and the PFP group mean
(``../shared/evidence.md`` §1); frontal-plane values are not stated when the capture gate refused the
video or the camera was not in front of the person.  The pattern suggestion is information, never a
diagnosis.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from kneeline.assess.intake import Intake
from kneeline.assess.movement import MovementFlags, movement_findings
from kneeline.assess.questionnaires import OutcomeScores
from kneeline.assess.types import Finding
from kneeline.errors import DataError
from kneeline.evidence import data_text, load_sourced
from kneeline.report.result import AnalysisResult

__all__ = ["Finding", "MovementFlags", "PatternName", "PatternSuggestion", "Assessment",
           "suggest_pattern", "symptom_findings", "outcome_findings", "assess"]

PatternName = Literal["pfp-like", "itb-like", "unclear"]


class _PatternRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    locations: tuple[str, ...] = ()
    aggravating: tuple[str, ...] = ()
    text: str
    source: str = Field(min_length=4)
    provisional: bool = False


class _PatternData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pfp_like: _PatternRule
    itb_like: _PatternRule
    unclear: _PatternRule
    disclaimer: dict[str, str | bool]


@lru_cache(maxsize=1)
def _patterns() -> _PatternData:
    try:
        return _PatternData.model_validate(yaml.safe_load(data_text("patterns.yaml")))
    except PydanticValidationError as exc:
        raise DataError(f"patterns.yaml is invalid: {exc}") from exc


class PatternSuggestion(BaseModel):
    """Which common pattern the answers resemble, as information."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pattern: PatternName
    title: str
    text: str
    reasons: list[str]
    disclaimer: str
    source: str
    provisional: bool = False


class Assessment(BaseModel):
    """Everything kneeline found, ready for the prescription."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    findings: list[Finding]
    pattern: PatternSuggestion
    movement: MovementFlags


def _matches(rule: _PatternRule, intake: Intake) -> list[str]:
    """Reasons the intake fits ``rule`` (empty when it does not)."""
    where = [loc for loc in intake.pain_locations if loc in rule.locations]
    what = [a for a in intake.aggravating if a in rule.aggravating]
    if not where or not what:
        return []
    return [f"pain at the {' and '.join(where)} of the knee", f"brought on by {', '.join(what)}"]


def suggest_pattern(intake: Intake) -> PatternSuggestion:
    """Suggest a pattern: PFP-like, ITB-like, or unclear (both or neither, or a recent injury)."""
    data = _patterns()
    disclaimer = str(data.disclaimer["value"])
    pfp, itb = _matches(data.pfp_like, intake), _matches(data.itb_like, intake)
    name: PatternName = "unclear"
    rule = data.unclear
    if intake.recent_injury:
        reasons = ["the pain began with a recent injury, which these overuse patterns do not describe"]
    elif pfp and not itb:
        rule, name, reasons = data.pfp_like, "pfp-like", pfp
    elif itb and not pfp:
        rule, name, reasons = data.itb_like, "itb-like", itb
    else:
        reasons = (["the answers fit both the patellofemoral-pain-like and the ITB-like pattern"] if pfp
                   else ["the answers fit neither common pattern"])
    return PatternSuggestion(pattern=name, title=rule.title, text=rule.text, reasons=reasons,
                             disclaimer=disclaimer, source=rule.source, provisional=rule.provisional)


def symptom_findings(intake: Intake) -> list[Finding]:
    """Pain ratings, location and duration as findings."""
    table = load_sourced("outcomes.yaml")
    pts, pct = table["nprs_mic_points"], table["nprs_mic_percent"]
    out = [Finding(
        code="pain", topic="symptoms",
        text=(f"Pain now {intake.pain_now}/10, worst in the last week {intake.pain_worst_week}/10 "
              f"(numeric pain rating); a change of {pts.value} points or {pct.value}% is the smallest that matters."),
        value=float(intake.pain_now), unit="/10", sources=[pts.source])]
    where = " and ".join(intake.pain_locations) or "unspecified places"
    what = ", ".join(intake.aggravating) or "nothing in particular"
    knee = "both knees" if intake.knee == "both" else f"the {intake.knee} knee"
    out.append(Finding(code="symptoms", topic="symptoms",
                       text=f"Pain at the {where} of {knee} for {intake.duration_weeks:g} weeks, brought on by {what}.",
                       sources=["your answers"]))
    return out


def outcome_findings(scores: OutcomeScores | None) -> list[Finding]:
    """AKPS and KOOS-PF scores as findings, each with its minimal important change."""
    if scores is None:
        return []
    table = load_sourced("outcomes.yaml")
    out: list[Finding] = []
    if scores.akps is not None:
        mic = table["akps_mic_points"]
        note = " Some answers have disputed points (provisional)." if scores.akps.provisional else ""
        out.append(Finding(code="akps", topic="outcome", value=float(scores.akps.score), unit="/100",
                           text=(f"AKPS (Kujala) {scores.akps.score}/100 (100 = no problems); a change of "
                                 f"{mic.value} points or more matters.{note}"),
                           sources=[mic.source], provisional=scores.akps.provisional))
    if scores.koos_pf is not None:
        mic = table["koos_pf_mic_points"]
        out.append(Finding(code="koos_pf", topic="outcome", value=scores.koos_pf.score, unit="/100",
                           text=(f"KOOS-PF {scores.koos_pf.score:g}/100 from {scores.koos_pf.answered} of "
                                 f"{scores.koos_pf.of} items (100 = no problems); a change of {mic.value} "
                                 "points or more matters. Item texts are short descriptions (provisional)."),
                           sources=[mic.source], provisional=True))
    return out


def assess(intake: Intake, results: Sequence[AnalysisResult] = (),
           scores: OutcomeScores | None = None) -> Assessment:
    """Combine intake, outcome scores and movement results into findings and a pattern suggestion.

    Parameters
    ----------
    intake
        Validated intake answers.
    results
        Zero or more analysis results (``result.json`` of ``kneeline analyze``).
    scores
        Outcome scores, if the person answered AKPS / KOOS-PF.
    """
    findings = symptom_findings(intake) + outcome_findings(scores)
    flags = MovementFlags()
    for result in results:
        more, flags = movement_findings(result, intake.sex, intake.knee, flags)
        findings.extend(more)
    return Assessment(findings=findings, pattern=suggest_pattern(intake), movement=flags)
