"""The patient's own pages: home, intake with the red-flag screen, questionnaires."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from kneeline.assess.consistency import Contradiction, unconfirmed
from kneeline.assess.intake import AGGRAVATORS, PAIN_LOCATIONS, Intake
from kneeline.assess.questionnaires import load_akps, load_koos_pf
from kneeline.assess.redflags import load_red_flags
from kneeline.store.models import Analysis, ProgramVersion
from kneeline.store.records import (
    current_program,
    latest_intake,
    outcome_rows,
    program_of,
    save_intake,
    save_outcomes,
    session_rows,
)
from kneeline.web.deps import CsrfDep, FormDep, PatientDep, SessionDep
from kneeline.web.forms import parse_intake_form, parse_outcome_form, validate
from kneeline.web.render import page, redirect

router = APIRouter()

PREGNANCY_OPTIONS: tuple[tuple[str, str], ...] = (
    ("no", "No (or not applicable)"), ("first_trimester", "Yes, up to week 12"),
    ("after_first_trimester", "Yes, week 13 or later"))
"""The pregnancy answers (``Intake.pregnancy``) and how the form words them."""


def today() -> Any:
    """Today's date (UTC)."""
    return datetime.now(UTC).date()


def questionnaire_context() -> dict[str, Any]:
    """What the AKPS and KOOS-PF form parts need."""
    koos = load_koos_pf()
    return {"akps": load_akps(), "koos": koos}


def _contradictions(data: dict[str, Any] | None) -> list[Contradiction]:
    """Unconfirmed contradictions of otherwise valid form answers (empty when they do not validate)."""
    intake, _ = validate(Intake, data or {})
    return unconfirmed(intake) if intake is not None else []


def _intake_context(data: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> dict[str, Any]:
    return {"flags": load_red_flags().flags, "locations": PAIN_LOCATIONS, "aggravators": AGGRAVATORS,
            "pregnancy_options": PREGNANCY_OPTIONS, "contradictions": _contradictions(data) if errors else [],
            "data": data or {"red_flags": {}}, "errors": errors or {}, **questionnaire_context()}


@router.get("/home")
def home(request: Request, auth: PatientDep, session: SessionDep) -> Response:
    """The patient's dashboard: what to do next."""
    pid = auth.user.id
    program_row = current_program(session, pid)
    analyses = session.scalars(select(Analysis).where(Analysis.patient_id == pid)
                               .order_by(Analysis.id.desc()).limit(5)).all()
    sessions = session_rows(session, pid)
    return page(request, "home.html", intake=latest_intake(session, pid), program_row=program_row,
                program=program_of(program_row) if program_row else None, analyses=analyses,
                last_session=sessions[-1] if sessions else None, ask=_later_questions(session, program_row))


def _later_questions(session: Session, program_row: ProgramVersion | None) -> dict[str, Any] | None:
    """The last session's questions still open (pain an hour after, the next morning), for the home page."""
    from kneeline.program.feedback import pending_questions
    from kneeline.store.records import training_log

    if program_row is None or program_of(program_row).program is None:
        return None
    _program, log = training_log(session, program_row)
    if not log.sessions:
        return None
    last = log.sessions[-1]
    pending = pending_questions(last)
    morning = pending.next_morning and last.entry.date < today()
    if not (pending.one_hour or morning):
        return None
    return {"date": last.entry.date, "one_hour": pending.one_hour, "next_morning": morning}


@router.get("/intake")
def intake_form(request: Request, auth: PatientDep) -> Response:
    """The intake form: symptoms, red-flag questions, optional AKPS and KOOS-PF."""
    return page(request, "intake.html", **_intake_context())


@router.post("/intake")
def intake_submit(request: Request, auth: PatientDep, session: SessionDep, _csrf: CsrfDep,
                  form: FormDep) -> Response:
    """Validate, screen for red flags, and store the program or referral it gives."""
    intake, errors, data = parse_intake_form(form)
    if intake is None:
        return page(request, "intake.html", status_code=400, **_intake_context(data, errors))
    save_intake(session, auth.user.id, intake, today())
    return redirect(f"/patients/{auth.user.id}/program")


@router.get("/outcomes")
def outcomes_form(request: Request, auth: PatientDep, session: SessionDep) -> Response:
    """Questionnaires (NPRS, AKPS, KOOS-PF) and their history."""
    return page(request, "outcomes.html", rows=outcome_rows(session, auth.user.id), data={}, errors={},
                today=today().isoformat(), **questionnaire_context())


@router.post("/outcomes")
def outcomes_submit(request: Request, auth: PatientDep, session: SessionDep, _csrf: CsrfDep,
                    form: FormDep) -> Response:
    """Score and store the questionnaires."""
    answers, errors, data = parse_outcome_form(form)
    if answers is None:
        from kneeline.web.forms import OUTCOME_LABELS

        return page(request, "outcomes.html", status_code=400, rows=outcome_rows(session, auth.user.id), data=data,
                    errors=errors, error_labels=OUTCOME_LABELS, today=today().isoformat(), **questionnaire_context())
    save_outcomes(session, auth.user.id, answers)
    return redirect(f"/patients/{auth.user.id}/progress")
