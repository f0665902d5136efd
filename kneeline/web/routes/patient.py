"""The patient's own pages: home, intake with the red-flag screen, questionnaires."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from kneeline.assess.intake import AGGRAVATORS, PAIN_LOCATIONS
from kneeline.assess.questionnaires import load_akps, load_koos_pf
from kneeline.assess.redflags import load_red_flags
from kneeline.store.models import Analysis
from kneeline.store.records import (
    current_program,
    latest_intake,
    outcome_rows,
    program_of,
    save_intake,
    save_outcomes,
    session_rows,
)
from kneeline.web.deps import CsrfDep, PatientDep, SessionDep
from kneeline.web.forms import parse_intake_form, parse_outcome_form
from kneeline.web.render import page, redirect

router = APIRouter()


def today() -> Any:
    """Today's date (UTC)."""
    return datetime.now(UTC).date()


def questionnaire_context() -> dict[str, Any]:
    """What the AKPS and KOOS-PF form parts need."""
    koos = load_koos_pf()
    return {"akps": load_akps(), "koos": koos}


def _intake_context(data: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> dict[str, Any]:
    return {"flags": load_red_flags().flags, "locations": PAIN_LOCATIONS, "aggravators": AGGRAVATORS,
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
                last_session=sessions[-1] if sessions else None)


@router.get("/intake")
def intake_form(request: Request, auth: PatientDep) -> Response:
    """The intake form: symptoms, red-flag questions, optional AKPS and KOOS-PF."""
    return page(request, "intake.html", **_intake_context())


@router.post("/intake")
async def intake_submit(request: Request, auth: PatientDep, session: SessionDep, _csrf: CsrfDep) -> Response:
    """Validate, screen for red flags, and store the program or referral it gives."""
    form = await request.form()
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
async def outcomes_submit(request: Request, auth: PatientDep, session: SessionDep, _csrf: CsrfDep) -> Response:
    """Score and store the questionnaires."""
    form = await request.form()
    answers, errors, data = parse_outcome_form(form)
    if answers is None:
        return page(request, "outcomes.html", status_code=400, rows=outcome_rows(session, auth.user.id), data=data,
                    errors=errors, today=today().isoformat(), **questionnaire_context())
    save_outcomes(session, auth.user.id, answers)
    return redirect(f"/patients/{auth.user.id}/progress")
