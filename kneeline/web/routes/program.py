"""The program (today's exercises), session logging with pain monitoring, and progress charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import date as Date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kneeline.assess.validation import field_errors
from kneeline.errors import ValidationError
from kneeline.program.library import load_library
from kneeline.program.prescribe import Program
from kneeline.program.progression import SessionEntry, current_prescriptions
from kneeline.store.models import Analysis, CoachedSet, ProgramVersion, User
from kneeline.store.records import (
    current_program,
    log_next_morning,
    log_one_hour,
    log_session,
    program_of,
    rebuild_program,
    training_log,
)
from kneeline.web.deps import Auth, AuthDep, CsrfDep, FormDep, PatientDep, SessionDep, visible_patient
from kneeline.web.forms import to_float, to_int
from kneeline.web.progress import progress_context
from kneeline.web.render import page, redirect
from kneeline.web.routes.patient import today

router = APIRouter()


def program_week(program: Program, on: Date) -> int:
    """Week of the program that ``on`` falls in (1 = first week)."""
    if program.start_date is None:
        return 1
    return max(1, (on - program.start_date).days // 7 + 1)


def _plan(session: Session, row: ProgramVersion | None) -> dict[str, Any]:
    """Everything the program and log pages show about the current program."""
    if row is None:
        return {"row": None, "response": None}
    response = program_of(row)
    if response.program is None:
        return {"row": row, "response": response}
    program, log = training_log(session, row)
    week = program_week(program, today())
    current = current_prescriptions(program, log)
    lib = load_library()
    items = []
    for ex in program.exercises:
        rx = current[ex.slot]
        items.append({"slot": ex.slot, "rx": rx, "exercise": lib.get(rx.id), "planned": ex,
                      "active": ex.start_week <= week})
    last = log.sessions[-1] if log.sessions else None
    from kneeline.coach.definitions import load_movements

    return {"row": row, "response": response, "program": program, "week": week, "items": items,
            "last": last, "log": log, "coachable": set(load_movements().movements)}


@router.get("/patients/{patient_id}/program")
def program_page(request: Request, patient_id: int, auth: AuthDep, session: SessionDep) -> Response:
    """The current program: today's exercises with steps, cues and dose, or the referral."""
    from kneeline.program.feedback import next_doses

    patient = visible_patient(session, auth, patient_id)
    plan = _plan(session, current_program(session, patient.id))
    last = plan.get("last")
    return page(request, "program.html", patient=patient, doses=next_doses(last) if last is not None else [], **plan)


@router.post("/patients/{patient_id}/program/rebuild")
def program_rebuild(request: Request, patient_id: int, auth: AuthDep, session: SessionDep,
                    _csrf: CsrfDep) -> Response:
    """A new program version from the latest intake and the newest video results."""
    patient = visible_patient(session, auth, patient_id)
    rebuild_program(session, patient.id, auth.user.id, today())
    return redirect(f"/patients/{patient.id}/program")


@dataclass(frozen=True)
class CountedSet:
    """A set counted by the camera: live on the coach page, or from an uploaded video of the set."""

    count: int
    quality: int | None
    partial: bool


def coached_today(session: Session, patient_id: int) -> dict[str, list[CountedSet]]:
    """Sets counted by the camera today (UTC), by exercise id, oldest first."""
    start = datetime.combine(today(), datetime.min.time(), tzinfo=UTC)
    found: list[tuple[datetime, str, CountedSet]] = []
    for live in session.scalars(select(CoachedSet).where(CoachedSet.patient_id == patient_id,
                                                         CoachedSet.created_at >= start)):
        found.append((live.created_at, live.exercise_id, CountedSet(live.count, live.quality, live.partial)))
    for job in session.scalars(select(Analysis).where(Analysis.patient_id == patient_id, Analysis.kind == "coach",
                                                      Analysis.status == "done", Analysis.created_at >= start)):
        if job.result:
            found.append((job.created_at, job.test, CountedSet(int(job.result.get("count", 0)),
                                                                job.result.get("quality"),
                                                                bool(job.result.get("partial")))))
    out: dict[str, list[CountedSet]] = {}
    for _, exercise_id, counted in sorted(found, key=lambda f: f[0]):
        out.setdefault(exercise_id, []).append(counted)
    return out


def _log_context(session: Session, auth: Auth, **extra: Any) -> dict[str, Any]:
    from kneeline.program.feedback import dose_words, next_doses, pending_questions

    plan = _plan(session, current_program(session, auth.user.id))
    lib = load_library()
    for item in plan.get("items", []):
        rx = item["rx"]
        item["dose"] = dose_words(rx.sets, rx.reps, rx.hold_s)
    last = plan.get("last")
    return {"today": today().isoformat(), "data": {}, "errors": {}, "saved": None,
            "coached": coached_today(session, auth.user.id),
            "doses": next_doses(last, lib) if last is not None else [],
            "pending": pending_questions(last) if last is not None else None,
            "exercise_names": {ex_id: ex.name for ex_id, ex in lib.exercises.items()},
            **plan, **extra}


@router.get("/log")
def log_form(request: Request, auth: PatientDep, session: SessionDep) -> Response:
    """The session log: the last session's next doses at the top, the later questions, then the form."""
    return page(request, "log.html", **_log_context(session, auth, saved=request.query_params.get("saved")))


_DONE = ("yes", "changed")
"""``done_<id>`` values of an exercise that was done ("as prescribed", "changed"); "no": skipped."""


def _entry_data(form: Any, slots: list[dict[str, Any]]) -> dict[str, Any]:
    """The session entry from the form: only the exercises done; the camera's or prescribed dose by default."""
    exercises = []
    for item in slots:
        rx = item["rx"]
        key = rx.id
        if form.get(f"done_{key}") not in _DONE:
            continue
        after = form.get(f"pain_after_{key}")
        exercises.append({
            "id": key, "sets": to_int(form.get(f"sets_{key}", rx.sets)),
            "reps": to_int(form.get(f"reps_{key}", rx.reps)) if rx.reps is not None else None,
            "hold_s": to_float(form.get(f"hold_{key}", rx.hold_s)) if rx.hold_s is not None else None,
            "load": form.get(f"load_{key}") or None,
            "pain_during": to_int(form.get(f"pain_during_{key}")),
            "pain_after_1h": to_int(after) if after not in (None, "") else None,
            "quality": form.get(f"quality_{key}") or None,
        })
    return {"date": form.get("date") or None, "pain_before": to_int(form.get("pain_before")),
            "exercises": exercises, "note": form.get("note") or None}


def _posted(form: Any, slots: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What was entered per exercise, to show the form again as it was sent."""
    out: dict[str, dict[str, Any]] = {}
    for item in slots:
        key = item["rx"].id
        out[key] = {"done": form.get(f"done_{key}") or "no", "pain_during": to_int(form.get(f"pain_during_{key}")),
                    **{name: to_int(form.get(f"{field}_{key}")) for name, field in
                       (("sets", "sets"), ("reps", "reps"), ("hold_s", "hold")) if form.get(f"{field}_{key}")}}
    return out


def _plain_log_errors(errors: dict[str, str], data: dict[str, Any], slots: list[dict[str, Any]],
                      form: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Errors keyed by form field, each with a label in plain words ("Pain during Clamshell")."""
    names = {item["rx"].id: item["exercise"].name for item in slots}
    labels = {"date": "Date", "pain_before": "Pain before the session", "exercises": "Exercises",
              "note": "Note", "session": "Session"}
    out: dict[str, str] = {}
    for key, msg in errors.items():
        parts = key.split(".")
        if parts[0] == "exercises" and len(parts) >= 3 and parts[1].isdigit():
            ex_id = data["exercises"][int(parts[1])]["id"]
            field = {"pain_during": "pain_during", "sets": "sets", "reps": "reps", "hold_s": "hold",
                     "pain_after_1h": "pain_after", "quality": "quality"}.get(parts[2], parts[2])
            key = f"{field}_{ex_id}"
            what = {"pain_during": "Pain during", "sets": "Sets of", "reps": "Reps of", "hold": "Hold of",
                    "pain_after": "Pain an hour after", "quality": "Form of"}.get(field, field)
            labels[key] = f"{what} {names.get(ex_id, ex_id)}"
            if field == "pain_during" and form.get(key) in (None, ""):
                msg = "choose how much it hurt during this exercise (0 = no pain); one tap on a number"
        elif key == "pain_before" and form.get("pain_before") in (None, ""):
            msg = "choose your usual knee pain today before the session (0 = no pain); one tap on a number"
        out.setdefault(key, msg)
    return out, labels


@router.post("/log")
def log_submit(request: Request, auth: PatientDep, session: SessionDep, _csrf: CsrfDep,
               form: FormDep) -> Response:
    """Validate the session, decide progress / hold / regress for each exercise, and store it."""
    ctx = _log_context(session, auth)
    if ctx.get("program") is None:
        raise ValidationError("there is no exercise program to log against yet; complete the intake first, or "
                              "see a clinician if the intake recommended it.")
    slots = [i for i in ctx["items"] if i["active"]]
    data = _entry_data(form, slots)
    shown = {**data, "posted": _posted(form, slots)}
    try:
        entry = SessionEntry.model_validate(data)
    except PydanticValidationError as exc:
        errors = field_errors(exc, SessionEntry)
        if not data["exercises"]:
            errors["exercises"] = "mark at least one exercise as done (or come back when you have done one)"
        plain, labels = _plain_log_errors(errors, data, slots, form)
        return page(request, "log.html", status_code=400,
                    **{**ctx, "data": shown, "errors": plain, "error_labels": labels})
    try:
        log_session(session, ctx["row"], entry)
    except ValidationError as exc:
        return page(request, "log.html", status_code=400, **{**ctx, "data": shown, "errors": {"session": str(exc)}})
    return redirect("/log?saved=1")


@router.post("/log/hour")
def log_hour(request: Request, auth: PatientDep, session: SessionDep, _csrf: CsrfDep,
             form: FormDep) -> Response:
    """Add the pain an hour after to the last session and decide it again."""
    row = current_program(session, auth.user.id)
    if row is None:
        raise ValidationError("there is no program yet; complete the intake first.")
    pain = to_int(form.get("pain_after_1h"))
    if not isinstance(pain, int) or not 0 <= pain <= 10:
        ctx = _log_context(session, auth)
        return page(request, "log.html", status_code=400, **{**ctx, "error_labels": {
            "pain_after_1h": "Pain an hour after"}, "errors": {
            "pain_after_1h": f"got {form.get('pain_after_1h')!r}; choose a whole number from 0 (no pain) to 10"}})
    try:
        log_one_hour(session, row, pain)
    except ValidationError as exc:
        ctx = _log_context(session, auth)
        return page(request, "log.html", status_code=400, **{**ctx, "errors": {"pain_after_1h": str(exc)}})
    return redirect("/log?saved=1")


@router.post("/log/morning")
def log_morning(request: Request, auth: PatientDep, session: SessionDep, _csrf: CsrfDep,
                form: FormDep) -> Response:
    """Add next-morning pain to the last session and decide it again."""
    row = current_program(session, auth.user.id)
    if row is None:
        raise ValidationError("there is no program yet; complete the intake first.")
    pain = to_int(form.get("pain_next_morning"))
    if not isinstance(pain, int):
        ctx = _log_context(session, auth)
        return page(request, "log.html", status_code=400, **{**ctx, "error_labels": {
            "pain_next_morning": "Pain this morning"}, "errors": {
            "pain_next_morning": f"got {form.get('pain_next_morning')!r}; choose a whole number from 0 (no pain) "
                                 "to 10"}})
    try:
        log_next_morning(session, row, pain, str(form.get("exercise") or "") or None)
    except ValidationError as exc:
        ctx = _log_context(session, auth)
        return page(request, "log.html", status_code=400, **{**ctx, "errors": {"exercise": str(exc)}})
    return redirect("/log?saved=1")


@router.get("/patients/{patient_id}/progress")
def progress_page(request: Request, patient_id: int, auth: AuthDep, session: SessionDep) -> Response:
    """Pain, questionnaires and movement measures over time, with what counts as a real change."""
    patient: User = visible_patient(session, auth, patient_id)
    return page(request, "progress.html", patient=patient, **progress_context(session, patient.id))
