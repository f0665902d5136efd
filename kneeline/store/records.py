"""A patient's record in the database, read back as the library's models.

The clinical logic stays in :mod:`kneeline.assess` and :mod:`kneeline.program`; these functions only
store their inputs and outputs and rebuild them (``Intake``, ``ProgramResponse``, ``TrainingLog``,
``AnalysisResult``) from the rows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date as Date

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kneeline.assess.intake import Intake, intake_scores, stored_intake
from kneeline.assess.questionnaires import OutcomeAnswers, OutcomeScores, score_outcomes
from kneeline.assess.redflags import screen
from kneeline.coach.result import CoachResult
from kneeline.errors import ValidationError
from kneeline.program.plan import ProgramResponse, build_program
from kneeline.program.prescribe import Program
from kneeline.program.progression import (
    LoggedSession,
    SessionEntry,
    TrainingLog,
    new_log,
    record_session,
    set_next_morning_pain,
)
from kneeline.report.result import AnalysisResult
from kneeline.store.models import (
    Analysis,
    IntakeRecord,
    OutcomeRecord,
    PatientProfile,
    ProgramVersion,
    SessionLog,
)

__all__ = [
    "latest_intake", "intake_of", "save_intake", "latest_results", "current_program", "program_of",
    "add_program_version", "rebuild_program", "training_log", "log_session", "log_next_morning", "log_one_hour",
    "save_outcomes", "outcome_rows", "session_rows", "stored_result", "DAMAGED_MESSAGE",
]

logger = logging.getLogger(__name__)

DAMAGED_MESSAGE = ("the stored results of this analysis are damaged and cannot be shown (they no longer match "
                   "what kneeline expects). Delete this analysis and upload the video again; your other "
                   "results are not affected.")
"""What a patient or clinician sees for an analysis whose stored ``result`` no longer validates."""


def stored_result(row: Analysis) -> AnalysisResult | CoachResult | None:
    """The result stored in an analysis row, read back as its model; None when absent or damaged.

    A row whose ``result`` no longer validates (edited by hand, written by a buggy version) is
    logged and treated as having no result, so one bad row never breaks a whole page.
    """
    if row.result is None:
        return None
    model: type[AnalysisResult] | type[CoachResult] = CoachResult if row.kind == "coach" else AnalysisResult
    try:
        return model.model_validate(row.result)
    except PydanticValidationError as exc:
        logger.warning("analysis %s: the stored result is damaged (%d validation errors; first: %s)", row.id,
                       exc.error_count(), exc.errors()[0].get("msg") if exc.errors() else "?")
        return None


def latest_intake(session: Session, patient_id: int) -> IntakeRecord | None:
    """The patient's most recent intake row."""
    return session.scalar(select(IntakeRecord).where(IntakeRecord.patient_id == patient_id)
                          .order_by(IntakeRecord.id.desc()).limit(1))


def intake_of(row: IntakeRecord) -> Intake:
    """The ``Intake`` stored in a row (one saved before questions were added still loads)."""
    return stored_intake(row.answers)


def latest_results(session: Session, patient_id: int) -> list[AnalysisResult]:
    """The newest finished analysis result of each movement test (for findings and prescription)."""
    rows = session.scalars(select(Analysis).where(Analysis.patient_id == patient_id, Analysis.kind == "test",
                                                  Analysis.status == "done").order_by(Analysis.id.desc())).all()
    seen: dict[str, AnalysisResult] = {}
    for row in rows:
        result = stored_result(row) if row.test not in seen else None
        if isinstance(result, AnalysisResult):
            seen[row.test] = result
    return list(seen.values())


def current_program(session: Session, patient_id: int) -> ProgramVersion | None:
    """The patient's newest program version (a program or a referral)."""
    return session.scalar(select(ProgramVersion).where(ProgramVersion.patient_id == patient_id)
                          .order_by(ProgramVersion.version.desc()).limit(1))


def program_of(row: ProgramVersion) -> ProgramResponse:
    """The ``ProgramResponse`` stored in a row."""
    return ProgramResponse.model_validate(row.response)


def add_program_version(session: Session, patient_id: int, response: ProgramResponse, reason: str,
                        by_id: int | None) -> ProgramVersion:
    """Store ``response`` as the patient's next program version."""
    last = session.scalar(select(func.max(ProgramVersion.version)).where(ProgramVersion.patient_id == patient_id))
    row = ProgramVersion(patient_id=patient_id, version=(last or 0) + 1, status=response.status,
                         response=response.model_dump(mode="json"), reason=reason[:500],
                         created_by=by_id)
    session.add(row)
    session.flush()
    return row


def _profile(session: Session, patient_id: int) -> PatientProfile:
    profile = session.get(PatientProfile, patient_id)
    if profile is None:
        profile = PatientProfile(user_id=patient_id)
        session.add(profile)
    return profile


def save_intake(session: Session, patient_id: int, intake: Intake, today: Date) -> ProgramVersion:
    """Store an intake, screen it, and store the program (or referral) it gives.

    The intake's NPRS and any AKPS/KOOS-PF answers are also stored as that day's outcome measures.
    """
    checked = screen(intake)
    session.add(IntakeRecord(patient_id=patient_id, answers=intake.model_dump(mode="json"),
                             referred=checked.referred, screen=checked.model_dump(mode="json")))
    profile = _profile(session, patient_id)
    profile.sex, profile.knee, profile.age, profile.referred = intake.sex, intake.knee, intake.age, checked.referred
    scores = intake_scores(intake) if intake.akps is not None or intake.koos_pf is not None else None
    _store_scores(session, patient_id, intake.date or today, intake.pain_now, scores,
                  {"source": "intake", "akps": intake.akps, "koos_pf": intake.koos_pf,
                   "nprs_worst_week": intake.pain_worst_week})
    response = build_program(intake, latest_results(session, patient_id), start_date=today)
    return add_program_version(session, patient_id, response, "intake", patient_id)


def rebuild_program(session: Session, patient_id: int, by_id: int, today: Date) -> ProgramVersion:
    """A new program from the latest intake and the newest movement results.

    Raises
    ------
    ValidationError
        If the patient has no intake yet.
    """
    row = latest_intake(session, patient_id)
    if row is None:
        raise ValidationError("complete the intake first; the program is built from it.")
    response = build_program(intake_of(row), latest_results(session, patient_id), start_date=today)
    return add_program_version(session, patient_id, response, "updated with the newest video results", by_id)


def _store_scores(session: Session, patient_id: int, on: Date, nprs: int | None, scores: OutcomeScores | None,
                  answers: dict[str, object]) -> OutcomeRecord:
    row = OutcomeRecord(patient_id=patient_id, taken_on=on, nprs=nprs,
                        akps=scores.akps.score if scores and scores.akps else None,
                        koos_pf=scores.koos_pf.score if scores and scores.koos_pf else None,
                        answers={**answers, "scores": scores.model_dump(mode="json") if scores else None})
    session.add(row)
    return row


def save_outcomes(session: Session, patient_id: int, answers: OutcomeAnswers) -> OutcomeRecord:
    """Score and store the questionnaires of one day."""
    scores = score_outcomes(answers)
    return _store_scores(session, patient_id, answers.date, answers.nprs_now, scores,
                         {"source": "questionnaires", **answers.model_dump(mode="json")})


def outcome_rows(session: Session, patient_id: int) -> Sequence[OutcomeRecord]:
    """All outcome rows, oldest first."""
    return session.scalars(select(OutcomeRecord).where(OutcomeRecord.patient_id == patient_id)
                           .order_by(OutcomeRecord.taken_on, OutcomeRecord.id)).all()


def session_rows(session: Session, patient_id: int) -> Sequence[SessionLog]:
    """All logged sessions of every program version, oldest first."""
    return session.scalars(select(SessionLog).where(SessionLog.patient_id == patient_id)
                           .order_by(SessionLog.session_date, SessionLog.id)).all()


def _program(row: ProgramVersion) -> Program:
    response = program_of(row)
    if response.program is None:
        raise ValidationError("there is no exercise program: the last screen recommended seeing a clinician "
                              "first. Sessions can be logged once a program is in place.")
    return response.program


def training_log(session: Session, row: ProgramVersion) -> tuple[Program, TrainingLog]:
    """The program of ``row`` and its training log rebuilt from the stored sessions."""
    program = _program(row)
    stored = session.scalars(select(SessionLog).where(SessionLog.program_id == row.id)
                             .order_by(SessionLog.session_date, SessionLog.id)).all()
    log = new_log(program)
    sessions = [LoggedSession.model_validate({"entry": s.entry, "decisions": s.decisions}) for s in stored]
    return program, log.model_copy(update={"sessions": sessions})


def log_session(session: Session, row: ProgramVersion, entry: SessionEntry) -> SessionLog:
    """Decide and store one session against program version ``row``.

    Raises
    ------
    ValidationError
        From :func:`kneeline.program.progression.record_session` (date order, unknown exercises).
    """
    program, log = training_log(session, row)
    logged = record_session(program, log, entry).sessions[-1]
    stored = SessionLog(patient_id=row.patient_id, program_id=row.id, session_date=entry.date,
                        entry=logged.entry.model_dump(mode="json"),
                        decisions=[d.model_dump(mode="json") for d in logged.decisions])
    session.add(stored)
    session.flush()
    return stored


def log_one_hour(session: Session, row: ProgramVersion, pain_after_1h: int) -> SessionLog:
    """Add the pain an hour after the last session of ``row`` (whole session) and decide it again."""
    from kneeline.program.progression import set_one_hour_pain

    program, log = training_log(session, row)
    updated = set_one_hour_pain(program, log, pain_after_1h).sessions[-1]
    last = session.scalars(select(SessionLog).where(SessionLog.program_id == row.id)
                           .order_by(SessionLog.session_date.desc(), SessionLog.id.desc()).limit(1)).one()
    last.entry = updated.entry.model_dump(mode="json")
    last.decisions = [d.model_dump(mode="json") for d in updated.decisions]
    return last


def log_next_morning(session: Session, row: ProgramVersion, pain_next_morning: int,
                     exercise_id: str | None = None) -> SessionLog:
    """Add next-morning pain to the last session of ``row`` (or to one of its exercises) and decide it again."""
    program, log = training_log(session, row)
    updated = set_next_morning_pain(program, log, pain_next_morning, exercise_id).sessions[-1]
    last = session.scalars(select(SessionLog).where(SessionLog.program_id == row.id)
                           .order_by(SessionLog.session_date.desc(), SessionLog.id.desc()).limit(1)).one()
    last.entry = updated.entry.model_dump(mode="json")
    last.decisions = [d.model_dump(mode="json") for d in updated.decisions]
    return last
