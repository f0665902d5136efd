"""The program as a printable handout (HTML or PDF) and as a calendar file of the planned sessions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from kneeline.report.handout import Handout, HandoutExercise, calendar_ics, handout_html
from kneeline.store.models import User
from kneeline.store.records import current_program
from kneeline.web.deps import AuthDep, IdPath, NotFound, SessionDep, visible_patient
from kneeline.web.render import error_page
from kneeline.web.routes.patient import today
from kneeline.web.routes.program import _plan

router = APIRouter()


def _handout(session: Session, patient: User) -> Handout:
    """The handout of the current program: the exercises of this week at their dose, and the pain rule.

    Raises
    ------
    NotFound
        When the patient has no program (none yet, or a referral instead).
    """
    from kneeline.program.feedback import dose_words

    plan = _plan(session, current_program(session, patient.id))
    program = plan.get("program")
    if program is None:
        raise NotFound("There is no exercise program to print yet.")
    exercises = []
    for item in plan["items"]:
        if not item["active"]:
            continue
        rx, ex = item["rx"], item["exercise"]
        side = " on each side" if ex.each_side else ""
        exercises.append(HandoutExercise(id=ex.id, name=ex.name, dose=dose_words(rx.sets, rx.reps, rx.hold_s) + side,
                                         steps=ex.steps, cues=ex.cues))
    return Handout(patient=patient.name, week=plan["week"], weeks=program.weeks,
                   sessions_per_week=program.sessions_per_week, start=program.start_date or today(),
                   exercises=tuple(exercises), pain_rule=program.notes.pain_rule, dose_note=program.notes.dose,
                   made_on=today())


@router.get("/patients/{patient_id}/program/handout")
def program_handout(request: Request, patient_id: IdPath, auth: AuthDep, session: SessionDep,
                    output: Annotated[str, Query(alias="format", pattern="^(pdf|html)$")] = "html") -> Response:
    """The handout: HTML to print from the browser, or a PDF (WeasyPrint)."""
    from kneeline.errors import KneelineError
    from kneeline.report.document import render_pdf

    patient = visible_patient(session, auth, patient_id)
    html = handout_html(_handout(session, patient))
    headers = {"Cache-Control": "private, no-store"}
    if output == "html":
        return Response(html, media_type="text/html; charset=utf-8", headers=headers)
    try:
        pdf = render_pdf(html)
    except KneelineError as exc:
        return error_page(request, 503, "The PDF cannot be made on this server", str(exc))
    headers["Content-Disposition"] = 'attachment; filename="kneeline-program.pdf"'
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get("/patients/{patient_id}/program/calendar.ics")
def program_calendar(patient_id: IdPath, auth: AuthDep, session: SessionDep) -> Response:
    """The planned sessions from today to the end of the program, for the user's own calendar."""
    patient = visible_patient(session, auth, patient_id)
    ics = calendar_ics(_handout(session, patient), datetime.now(UTC))
    return Response(ics, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, no-store",
                             "Content-Disposition": 'attachment; filename="kneeline-sessions.ics"'})
