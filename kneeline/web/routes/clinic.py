"""The clinician's pages: linked patients, a patient's full record, program edits and notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kneeline.errors import ValidationError
from kneeline.program.edit import ProgramEdit, edit_program, program_changes, rebase
from kneeline.program.library import load_library
from kneeline.program.prescribe import Program
from kneeline.program.progression import clinician_only, current_prescriptions
from kneeline.store.models import (
    Analysis,
    CareLink,
    ClinicianNote,
    CoachedSet,
    IntakeRecord,
    ProgramVersion,
    SessionLog,
    User,
)
from kneeline.store.records import (
    add_program_version,
    current_program,
    latest_intake,
    outcome_rows,
    program_of,
    session_rows,
    training_log,
)
from kneeline.store.references import clear_reference, references_of, set_reference
from kneeline.web.deps import ClinicianDep, CsrfDep, FormDep, SessionDep, visible_patient
from kneeline.web.forms import to_int, validate
from kneeline.web.render import page, redirect

router = APIRouter()


def _last_activity(session: Session, patient_id: int) -> datetime | None:
    times = [session.scalar(select(func.max(Analysis.created_at)).where(Analysis.patient_id == patient_id)),
             session.scalar(select(func.max(SessionLog.created_at)).where(SessionLog.patient_id == patient_id)),
             session.scalar(select(func.max(IntakeRecord.created_at)).where(IntakeRecord.patient_id == patient_id))]
    found = [t for t in times if t is not None]
    return max(found) if found else None


def _flags(session: Session, patient: User) -> list[str]:
    flags = []
    intake = latest_intake(session, patient.id)
    if intake is not None and intake.referred:
        flags.append("red flag: referred")
    last = session.scalar(select(SessionLog).where(SessionLog.patient_id == patient.id)
                          .order_by(SessionLog.session_date.desc(), SessionLog.id.desc()).limit(1))
    if last is not None and any(d["action"] == "regress" for d in last.decisions):
        flags.append("last session: pain too high, regressed")
    failed = session.scalar(select(func.count()).select_from(Analysis).where(
        Analysis.patient_id == patient.id, Analysis.status == "failed")) or 0
    if failed:
        flags.append(f"{failed} video(s) could not be analysed")
    return flags


@router.get("/clinic")
def clinic(request: Request, auth: ClinicianDep, session: SessionDep) -> Response:
    """Linked patients with last activity and flags."""
    patients = session.scalars(select(User).join(CareLink, CareLink.patient_id == User.id)
                               .where(CareLink.clinician_id == auth.user.id).order_by(User.name)).all()
    rows = [{"patient": p, "last": _last_activity(session, p.id), "flags": _flags(session, p)} for p in patients]
    return page(request, "clinic.html", rows=rows)


def _record(session: Session, patient: User) -> dict[str, Any]:
    intake = latest_intake(session, patient.id)
    program_row = current_program(session, patient.id)
    return {
        "patient": patient, "intake": intake, "flags": _flags(session, patient),
        "analyses": session.scalars(select(Analysis).where(Analysis.patient_id == patient.id)
                                    .order_by(Analysis.id.desc())).all(),
        "programs": session.scalars(select(ProgramVersion).where(ProgramVersion.patient_id == patient.id)
                                    .order_by(ProgramVersion.version.desc())).all(),
        "program_row": program_row, "response": program_of(program_row) if program_row else None,
        "sessions": list(reversed(session_rows(session, patient.id))),
        "outcomes": outcome_rows(session, patient.id),
        "notes": session.scalars(select(ClinicianNote).where(ClinicianNote.patient_id == patient.id)
                                 .order_by(ClinicianNote.id.desc())).all(),
        "live_sets": session.scalars(select(CoachedSet).where(CoachedSet.patient_id == patient.id)
                                     .order_by(CoachedSet.id.desc()).limit(20)).all(),
        "references": references_of(session, patient.id),
    }


@router.get("/clinic/patients/{patient_id}")
def patient_record(request: Request, patient_id: int, auth: ClinicianDep, session: SessionDep) -> Response:
    """A linked patient's full record."""
    patient = visible_patient(session, auth, patient_id)
    return page(request, "clinic_patient.html", errors={}, reference_error=None, **_record(session, patient))


@router.post("/clinic/patients/{patient_id}/notes")
def add_note(request: Request, patient_id: int, auth: ClinicianDep, session: SessionDep,
             _csrf: CsrfDep, form: FormDep) -> Response:
    """Add a note to a linked patient's record."""
    patient = visible_patient(session, auth, patient_id)
    text = str(form.get("text") or "").strip()
    if not 1 <= len(text) <= 5000:
        return page(request, "clinic_patient.html", status_code=400, **_record(session, patient),
                    errors={"text": f"write 1 to 5000 characters (got {len(text)})"}, reference_error=None)
    session.add(ClinicianNote(patient_id=patient.id, author_id=auth.user.id, text=text))
    return redirect(f"/clinic/patients/{patient.id}#notes")


@router.post("/clinic/patients/{patient_id}/references")
def add_reference(request: Request, patient_id: int, auth: ClinicianDep, session: SessionDep,
                  _csrf: CsrfDep, form: FormDep) -> Response:
    """Make one of the patient's coached sets (live or video) their reference set for its exercise."""
    patient = visible_patient(session, auth, patient_id)
    source, source_id = str(form.get("source") or ""), to_int(form.get("source_id"))
    error = None
    if source not in ("live", "video") or not isinstance(source_id, int):
        error = "choose one of the patient's coached sets (a live set or a coached video) as the reference."
    else:
        try:
            set_reference(session, patient.id, source, source_id, auth.user.id)  # type: ignore[arg-type]
        except ValidationError as exc:
            error = str(exc)
    if error is not None:
        return page(request, "clinic_patient.html", status_code=400, **_record(session, patient), errors={},
                    reference_error=error)
    return redirect(f"/clinic/patients/{patient.id}#references")


@router.post("/clinic/patients/{patient_id}/references/{exercise_id}/delete")
def remove_reference(patient_id: int, exercise_id: str, auth: ClinicianDep, session: SessionDep,
                     _csrf: CsrfDep) -> Response:
    """Remove the patient's reference set of one exercise (later sets are no longer compared)."""
    patient = visible_patient(session, auth, patient_id)
    clear_reference(session, patient.id, exercise_id)
    return redirect(f"/clinic/patients/{patient.id}#references")


def _edit_context(session: Session, patient: User) -> dict[str, Any]:
    """The editor's content: the program as it stands now (current doses), with the planned doses beside it."""
    row = current_program(session, patient.id)
    response = program_of(row) if row else None
    lib = load_library()
    ctx: dict[str, Any] = {"patient": patient, "row": row, "response": response, "errors": {}, "entered": {},
                           "changes": [], "entered_unlock": [], "program": None, "planned": {}, "addable": [],
                           "lockable": []}
    if row is None or response is None or response.program is None:
        return ctx
    original, log = training_log(session, row)
    program = rebase(original, current_prescriptions(original, log))
    in_program = {e.id for e in program.exercises}
    ctx.update(program=program, planned={e.slot: e for e in original.exercises},
               addable=[ex for ex in lib.exercises.values() if ex.dose is not None and ex.id not in in_program],
               lockable=[lib.exercises[i] for i in sorted(clinician_only()) if i not in program.unlocked])
    return ctx


@router.get("/clinic/patients/{patient_id}/program")
def edit_form(request: Request, patient_id: int, auth: ClinicianDep, session: SessionDep) -> Response:
    """The program editor, starting from the current doses (after progressions and regressions)."""
    patient = visible_patient(session, auth, patient_id)
    return page(request, "clinic_program.html", **_edit_context(session, patient))


def _edit_data(form: Any, program: Program) -> dict[str, Any]:
    doses = {}
    for e in program.exercises:
        doses[e.id] = {"sets": to_int(form.get(f"sets_{e.id}")),
                       "reps": to_int(form.get(f"reps_{e.id}")) if e.reps is not None else None,
                       "hold_s": to_int(form.get(f"hold_{e.id}")) if e.hold_s is not None else None}
    getter = getattr(form, "getlist", None)
    unlock = [str(u) for u in (getter("unlock") if getter is not None else [])]
    return {"doses": doses, "remove": [e.id for e in program.exercises if form.get(f"remove_{e.id}")],
            "add": [str(form.get("add"))] if form.get("add") else [], "unlock": unlock,
            "reason": str(form.get("reason") or "").strip()}


@router.post("/clinic/patients/{patient_id}/program")
def edit_submit(request: Request, patient_id: int, auth: ClinicianDep, session: SessionDep,
                _csrf: CsrfDep, form: FormDep) -> Response:
    """Check the edit against the current program, show what changes, and store it once confirmed."""
    patient = visible_patient(session, auth, patient_id)
    ctx = _edit_context(session, patient)
    response, program = ctx["response"], ctx["program"]
    if response is None or program is None:
        raise ValidationError("this patient has no exercise program to edit (no intake yet, or referred).")
    ctx["entered"] = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    ctx["entered_unlock"] = [str(u) for u in form.getlist("unlock")]
    edit, errors = validate(ProgramEdit, _edit_data(form, program))
    if edit is None:
        return page(request, "clinic_program.html", status_code=400, **{**ctx, "errors": errors})
    try:
        edited = edit_program(program, edit)
    except ValidationError as exc:
        return page(request, "clinic_program.html", status_code=400, **{**ctx, "errors": {"program": str(exc)}})
    changes = program_changes(program, edited)
    if not changes:
        return page(request, "clinic_program.html", status_code=400,
                    **{**ctx, "errors": {"program": "nothing changed: the doses are the patient's current ones."}})
    if form.get("confirm") != "yes":
        return page(request, "clinic_program.html", **{**ctx, "changes": changes})
    new = response.model_copy(update={"program": edited})
    add_program_version(session, patient.id, new, f"edited by {auth.user.name}: {edit.reason} "
                        f"({'; '.join(changes)})", auth.user.id)
    return redirect(f"/patients/{patient.id}/program")
