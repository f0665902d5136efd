"""A patient's record as the report and the FHIR export read it: who, scores by day, program, log.

The CLI builds it from files (intake, outcome answers, program, training log), the web app from
the database; both then hand the same :class:`PatientRecord` to the report and the export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

from kneeline.assess.intake import Intake, intake_scores
from kneeline.assess.questionnaires import Change, OutcomeAnswers, interpret_change, score_outcomes
from kneeline.program.plan import ProgramResponse
from kneeline.program.progression import TrainingLog

__all__ = ["ScoreDay", "PatientRecord", "from_intake", "from_answers", "score_trend", "load_record"]


@dataclass(frozen=True)
class ScoreDay:
    """The questionnaire scores of one day, with the answers they came from.

    Attributes
    ----------
    date
        The day (None for an undated intake).
    nprs_now, nprs_worst_week
        Pain now and worst pain in the last week, 0-10.
    akps, koos_pf
        Scores 0-100 (100 = no problems); None where not answered.
    akps_answers, koos_pf_answers
        Item id -> answer, as answered.
    """

    date: Date | None
    nprs_now: int | None = None
    nprs_worst_week: int | None = None
    akps: float | None = None
    koos_pf: float | None = None
    akps_answers: dict[str, str] | None = None
    koos_pf_answers: dict[str, int | None] | None = None


@dataclass(frozen=True)
class PatientRecord:
    """Everything the report and the FHIR export need about one patient (all parts optional)."""

    name: str | None = None
    patient_id: str | None = None
    intake: Intake | None = None
    scores: list[ScoreDay] = field(default_factory=list)
    program: ProgramResponse | None = None
    log: TrainingLog | None = None


def from_intake(intake: Intake) -> ScoreDay:
    """The scores answered with the intake."""
    scores = intake_scores(intake) if intake.akps is not None or intake.koos_pf is not None else None
    return ScoreDay(date=intake.date, nprs_now=intake.pain_now, nprs_worst_week=intake.pain_worst_week,
                    akps=float(scores.akps.score) if scores and scores.akps else None,
                    koos_pf=scores.koos_pf.score if scores and scores.koos_pf else None,
                    akps_answers=intake.akps, koos_pf_answers=intake.koos_pf)


def from_answers(answers: OutcomeAnswers) -> ScoreDay:
    """The scores of one day's questionnaire answers."""
    scores = score_outcomes(answers)
    return ScoreDay(date=answers.date, nprs_now=answers.nprs_now, nprs_worst_week=answers.nprs_worst_week,
                    akps=float(scores.akps.score) if scores.akps else None,
                    koos_pf=scores.koos_pf.score if scores.koos_pf else None,
                    akps_answers=answers.akps, koos_pf_answers=answers.koos_pf)


def score_trend(days: Sequence[ScoreDay]) -> list[Change]:
    """First against last answer of each measure, judged by its minimal important change."""
    dated = sorted(days, key=lambda d: d.date or Date.min)
    out: list[Change] = []
    for measure, attr, label in (("akps", "akps", None), ("koos_pf", "koos_pf", None),
                                 ("nprs", "nprs_worst_week", "Worst pain in the last week (NPRS)"),
                                 ("nprs", "nprs_now", "Pain now (NPRS)")):
        values = [getattr(d, attr) for d in dated if getattr(d, attr) is not None]
        if len(values) >= 2:
            out.append(interpret_change(measure, float(values[0]), float(values[-1]), label))  # type: ignore[arg-type]
    return out


def load_record(*, name: str | None = None, intake: Path | None = None, outcomes: Sequence[Path] = (),
                program: Path | None = None, log: Path | None = None) -> PatientRecord:
    """Build a record from files.

    The files: an intake (``kneeline intake --out``), outcome answers (``kneeline score``'s input),
    a program (``kneeline program --out``, or a bare program) and a training log (``kneeline log``).

    Raises
    ------
    InputError, ValidationError
        If a file is missing, not JSON, or does not fit what it should hold (the message names it).
    """
    from kneeline.assess.validation import parse_model
    from kneeline.program.prescribe import Program
    from kneeline.program.storage import read_json, read_model

    answers = read_model(intake, Intake, "intake") if intake is not None else None
    days = [from_intake(answers)] if answers is not None else []
    days += [from_answers(read_model(p, OutcomeAnswers, "outcome answers")) for p in outcomes]
    response = None
    if program is not None:
        data = read_json(program, "program")
        if isinstance(data, dict) and "status" in data:
            response = parse_model(ProgramResponse, data, f"program ({program})")
        else:
            response = ProgramResponse(status="program", program=parse_model(Program, data, f"program ({program})"))
    training = read_model(log, TrainingLog, "training log") if log is not None else None
    return PatientRecord(name=name, intake=answers, scores=sorted(days, key=lambda d: d.date or Date.min),
                         program=response, log=training)
