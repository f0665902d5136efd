"""From intake (and movement results) to the answer of ``kneeline program``: a program or a referral.

:func:`build_program` is the library entry point the CLI and a later web app share: a pure function
from validated models to a :class:`ProgramResponse`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date as Date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kneeline.assess.findings import Finding, PatternSuggestion, assess
from kneeline.assess.intake import Intake, intake_scores
from kneeline.assess.questionnaires import OutcomeScores
from kneeline.assess.redflags import Referral, screen
from kneeline.program.prescribe import Program, intake_notes, prescribe
from kneeline.program.progression import pain_model as pain_model_named
from kneeline.report.result import AnalysisResult

__all__ = ["ProgramResponse", "build_program"]


class ProgramResponse(BaseModel):
    """What ``kneeline program --json`` prints."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Literal["program", "referred"]
    referral: Referral | None = Field(default=None, description="Present when status is 'referred'")
    program: Program | None = Field(default=None, description="Present when status is 'program'")
    findings: list[Finding] = Field(default_factory=list)
    pattern: PatternSuggestion | None = None
    scores: OutcomeScores | None = None
    notes: list[str] = Field(default_factory=list)


def build_program(intake: Intake, results: Sequence[AnalysisResult] = (), weeks: int | None = None,
                  start_date: Date | None = None, pain_model: str | None = None) -> ProgramResponse:
    """Screen for red flags; if none, assess and prescribe.

    Parameters
    ----------
    intake
        Validated intake answers.
    results
        Analysis results of ``kneeline analyze`` (any number, parts may be missing).
    weeks
        Program length (default from data).
    start_date
        Optional first day of the program.
    pain_model
        Variant of the pain-monitoring model ("my-knee-cap", "kneeline-strict"); None = the default.

    Returns
    -------
    ProgramResponse
        ``status="referred"`` with the referral and no program when any red flag is present;
        otherwise ``status="program"`` with findings, the pattern suggestion and the program.
    """
    if pain_model is not None:
        pain_model_named(pain_model)  # raises a ValidationError naming the allowed variants
    checked = screen(intake)
    if checked.referred:
        return ProgramResponse(status="referred", referral=checked.referral, notes=checked.notes)
    scores = intake_scores(intake) if intake.akps is not None or intake.koos_pf is not None else None
    assessment = assess(intake, results, scores)
    program = prescribe(intake, assessment, weeks=weeks, start_date=start_date, pain_model=pain_model)
    return ProgramResponse(status="program", program=program, findings=assessment.findings,
                           pattern=assessment.pattern, scores=scores, notes=[*checked.notes, *intake_notes(intake)])
