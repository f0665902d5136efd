"""Passwords and one-time links.

Change password; reset links (issued by an administrator or the linked clinician, nothing e-mailed);
a patient's invitation of a clinician who has no account yet.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kneeline.store.models import CareLink, User, WebSession
from kneeline.store.tokens import LinkCheck, TokenKind, check_link, issue_link, use_link
from kneeline.web.deps import (
    SESSION_COOKIE,
    AdminDep,
    AuthDep,
    ClinicianDep,
    CsrfDep,
    IdPath,
    NotFound,
    PatientDep,
    SessionDep,
    get_ctx,
    visible_patient,
)
from kneeline.web.render import page, redirect
from kneeline.web.routes.auth import _EMAIL, _TAKEN, _signed_in
from kneeline.web.security import MIN_PASSWORD_LENGTH, hash_password, token_digest, verify_password

router = APIRouter()

_LABELS = {"current_password": "Current password", "new_password": "New password",
           "confirm_password": "New password again", "name": "Your name", "email": "E-mail"}
_STATE_WORDS = {"expired": "This link has expired. Ask for a new one: links work only for a limited time.",
                "used": "This link has already been used. Each link works once; ask for a new one.",
                "unknown": "This link is not valid. Check that it was copied whole, or ask for a new one."}


def _password_errors(new: str, confirm: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not MIN_PASSWORD_LENGTH <= len(new) <= 256:
        errors["new_password"] = f"use {MIN_PASSWORD_LENGTH} to 256 characters (got {len(new)})"
    elif new != confirm:
        errors["confirm_password"] = "type the same new password twice"
    return errors


def _end_other_sessions(session: Session, user_id: int, keep_token: str | None) -> None:
    """Sign out every browser of ``user_id`` except the one holding ``keep_token``."""
    query = delete(WebSession).where(WebSession.user_id == user_id)
    if keep_token:
        query = query.where(WebSession.token_sha256 != token_digest(keep_token))
    session.execute(query)


@router.post("/account/password")
def change_password(request: Request, auth: AuthDep, session: SessionDep, _csrf: CsrfDep,
                    current_password: Annotated[str, Form()] = "", new_password: Annotated[str, Form()] = "",
                    confirm_password: Annotated[str, Form()] = "") -> Response:
    """Change the password (the current one is asked); other browsers are signed out."""
    errors = _password_errors(new_password, confirm_password)
    if not verify_password(auth.user.password_hash, current_password):
        errors = {"current_password": "this is not your current password", **errors}
    if errors:
        from kneeline.web.routes.account import account_context

        return page(request, "account.html", status_code=400,
                    **{**account_context(session, auth.user), "errors": errors, "error_labels": _LABELS})
    user = session.get(User, auth.user.id)
    assert user is not None
    user.password_hash = hash_password(new_password)
    _end_other_sessions(session, user.id, request.cookies.get(SESSION_COOKIE))
    return redirect("/account?password=changed")


def _issued(request: Request, kind: TokenKind, token: str, hours: float, who: str) -> Response:
    path = "reset" if kind == "reset" else "invite"
    link = f"{str(request.base_url).rstrip('/')}/{path}/{token}"
    return page(request, "link_issued.html", kind=kind, link=link, hours=hours, who=who)


@router.post("/admin/users/{user_id}/reset")
def admin_reset(request: Request, user_id: IdPath, auth: AdminDep, session: SessionDep, _csrf: CsrfDep) -> Response:
    """An administrator issues a one-time password-reset link for an account."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such account.")
    hours = get_ctx(request).settings.web.reset_link_hours
    token = issue_link(session, "reset", user.id, auth.user.id, timedelta(hours=hours))
    return _issued(request, "reset", token, hours, f"{user.name} ({user.email})")


@router.post("/clinic/patients/{patient_id}/reset")
def clinician_reset(request: Request, patient_id: IdPath, auth: ClinicianDep, session: SessionDep,
                    _csrf: CsrfDep) -> Response:
    """The linked clinician issues a one-time password-reset link for their patient."""
    patient = visible_patient(session, auth, patient_id)
    hours = get_ctx(request).settings.web.reset_link_hours
    token = issue_link(session, "reset", patient.id, auth.user.id, timedelta(hours=hours))
    return _issued(request, "reset", token, hours, f"{patient.name} ({patient.email})")


@router.post("/account/invite")
def invite(request: Request, auth: PatientDep, session: SessionDep, _csrf: CsrfDep) -> Response:
    """A patient makes a one-time invitation for a clinician who has no account yet."""
    days = get_ctx(request).settings.web.invite_days
    token = issue_link(session, "invite", auth.user.id, auth.user.id, timedelta(days=days))
    return _issued(request, "invite", token, days * 24, "your physiotherapist")


def _invalid(request: Request, check: LinkCheck) -> Response:
    status = 410 if check.state in ("expired", "used") else 404
    return page(request, "error.html", status_code=status, title="This link cannot be used",
                message=_STATE_WORDS[check.state])


@router.get("/reset/{token}")
def reset_form(request: Request, token: str, session: SessionDep) -> Response:
    """Choose a new password with a reset link."""
    check = check_link(session, "reset", token)
    if check.state != "valid" or check.row is None:
        return _invalid(request, check)
    user = session.get(User, check.row.user_id)
    return page(request, "reset.html", token=token, email=user.email if user else "", min_password=MIN_PASSWORD_LENGTH)


@router.post("/reset/{token}")
def reset(request: Request, token: str, session: SessionDep, _csrf: CsrfDep,
          new_password: Annotated[str, Form()] = "", confirm_password: Annotated[str, Form()] = "") -> Response:
    """Set the new password, use up the link and sign out every browser of the account."""
    check = check_link(session, "reset", token)
    if check.state != "valid" or check.row is None:
        return _invalid(request, check)
    user = session.get(User, check.row.user_id)
    assert user is not None  # the row goes with its user (cascade)
    errors = _password_errors(new_password, confirm_password)
    if errors:
        return page(request, "reset.html", status_code=400, token=token, email=user.email, errors=errors,
                    error_labels=_LABELS, min_password=MIN_PASSWORD_LENGTH)
    user.password_hash = hash_password(new_password)
    use_link(check.row)
    _end_other_sessions(session, user.id, None)
    return page(request, "error.html", title="Your password was changed",
                message="Log in with your new password. Every browser that was signed in has been signed out.")


@router.get("/invite/{token}")
def invite_form(request: Request, token: str, session: SessionDep) -> Response:
    """A clinician accepts a patient's invitation: create an account linked to the patient."""
    check = check_link(session, "invite", token)
    if check.state != "valid" or check.row is None:
        return _invalid(request, check)
    patient = session.get(User, check.row.user_id)
    return page(request, "invite.html", token=token, patient=patient, form={}, min_password=MIN_PASSWORD_LENGTH)


@router.post("/invite/{token}")
def accept_invite(request: Request, token: str, session: SessionDep, _csrf: CsrfDep,
                  name: Annotated[str, Form()] = "", email: Annotated[str, Form()] = "",
                  new_password: Annotated[str, Form()] = "", confirm_password: Annotated[str, Form()] = "") -> Response:
    """Create the clinician's account, link it to the inviting patient, use up the link and sign in."""
    check = check_link(session, "invite", token)
    if check.state != "valid" or check.row is None:
        return _invalid(request, check)
    patient = session.get(User, check.row.user_id)
    assert patient is not None
    email, name = email.strip().lower(), name.strip()
    errors: dict[str, str] = {}
    if not 1 <= len(name) <= 120:
        errors["name"] = "enter your name (1 to 120 characters)"
    if not _EMAIL.match(email) or len(email) > 254:
        errors["email"] = f"got {email!r}; expected an e-mail address like name@example.org"
    elif session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        errors["email"] = _TAKEN + " If you have an account, log in and ask your patient to share with its address."
    errors.update(_password_errors(new_password, confirm_password))
    if errors:
        return page(request, "invite.html", status_code=400, token=token, patient=patient, errors=errors,
                    error_labels=_LABELS, form={"name": name, "email": email}, min_password=MIN_PASSWORD_LENGTH)
    clinician = User(email=email, name=name, password_hash=hash_password(new_password), role="clinician")
    session.add(clinician)
    session.flush()
    session.add(CareLink(clinician_id=clinician.id, patient_id=patient.id))
    use_link(check.row)
    return _signed_in(request, session, clinician, "/clinic")
