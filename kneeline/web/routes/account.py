"""The account page: sharing with a clinician, downloading all data, deleting the account."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from kneeline.store.models import CareLink, User
from kneeline.web.deps import (
    SESSION_COOKIE,
    Account,
    AuthDep,
    CsrfDep,
    FormDep,
    PatientDep,
    SessionDep,
    get_ctx,
)
from kneeline.web.render import page, redirect
from kneeline.web.security import verify_password

router = APIRouter()


def account_context(session: Session, user: Account) -> dict[str, Any]:
    """What the account page shows: linked clinicians (patient) or the number of patients (clinician)."""
    return _context(session, user)


def _context(session: Session, user: Account) -> dict[str, Any]:
    clinicians = session.scalars(select(User).join(CareLink, CareLink.clinician_id == User.id)
                                 .where(CareLink.patient_id == user.id).order_by(User.name)).all()
    patients = session.scalar(select(func.count()).select_from(CareLink).where(CareLink.clinician_id == user.id))
    return {"clinicians": clinicians, "patient_count": patients or 0, "errors": {}}


@router.get("/account")
def account(request: Request, auth: AuthDep, session: SessionDep) -> Response:
    """Account details, sharing and data rights."""
    return page(request, "account.html", changed=request.query_params.get("password") == "changed",
                **_context(session, auth.user))


@router.post("/account/share")
def share(request: Request, auth: PatientDep, session: SessionDep, _csrf: CsrfDep,
          form: FormDep) -> Response:
    """Let a clinician (by e-mail address) see and edit this record."""
    email = str(form.get("email") or "").strip().lower()
    clinician = session.scalar(select(User).where(func.lower(User.email) == email, User.role == "clinician"))
    if clinician is None:
        return page(request, "account.html", status_code=400, **{**_context(session, auth.user), "errors": {
            "email": f"no clinician account has the address {email!r}; ask your physiotherapist for the "
                     "address they signed up with, or make an invitation link for them below"}})
    exists = session.scalar(select(CareLink.id).where(CareLink.clinician_id == clinician.id,
                                                      CareLink.patient_id == auth.user.id))
    if exists is None:
        session.add(CareLink(clinician_id=clinician.id, patient_id=auth.user.id))
    return redirect("/account")


@router.post("/account/unshare")
def unshare(request: Request, auth: PatientDep, session: SessionDep, _csrf: CsrfDep,
            form: FormDep) -> Response:
    """Stop sharing with a clinician."""
    raw = str(form.get("clinician_id") or "")
    if raw.isdigit():
        session.execute(delete(CareLink).where(CareLink.clinician_id == int(raw), CareLink.patient_id == auth.user.id))
    return redirect("/account")


@router.get("/account/access")
def access(request: Request, auth: PatientDep, session: SessionDep) -> Response:
    """Who (other than the patient) opened the patient's record, newest first."""
    from kneeline.store.access import REPEAT_S, access_log

    return page(request, "access_log.html", rows=access_log(session, auth.user.id),
                repeat_min=round(REPEAT_S / 60))


@router.get("/account/export")
def export(request: Request, auth: PatientDep) -> Response:
    """Download everything kneeline holds about the patient: one zip (JSON + videos + results)."""
    from kneeline.store.rights import export_patient

    ctx = get_ctx(request)
    folder = Path(tempfile.mkdtemp(prefix="kneeline-export-", dir=ctx.data_dir))
    archive = export_patient(ctx.db, ctx.files, auth.user.id, folder)
    return FileResponse(archive, media_type="application/zip", filename=f"kneeline-data-{auth.user.id}.zip",
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))


@router.post("/account/delete")
def delete_account(request: Request, auth: AuthDep, session: SessionDep, _csrf: CsrfDep,
                   form: FormDep) -> Response:
    """Delete the account and every record and file that belongs to it (password required)."""
    from kneeline.store.rights import delete_account as delete_everything

    if form.get("confirm") != "delete" or not verify_password(auth.user.password_hash, str(form.get("password"))):
        return page(request, "account.html", status_code=400, **{**_context(session, auth.user), "errors": {
            "delete": "type the word delete and your current password to confirm; nothing was deleted"}})
    ctx = get_ctx(request)
    user_id = auth.user.id
    session.rollback()
    delete_everything(ctx.db, ctx.files, user_id)
    response = redirect("/?deleted=1")
    response.delete_cookie(SESSION_COOKIE)
    return response
