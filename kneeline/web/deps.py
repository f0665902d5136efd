"""Request dependencies: the database session, the signed-in user, CSRF checks and record access.

Access rule, applied by :func:`visible_patient` on every route that shows or changes a record: a
patient sees only their own record; a clinician sees only patients who linked them; an
administrator manages accounts but sees no health data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from kneeline.store.models import CareLink, User
from kneeline.web.security import find_session, tokens_match

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates

    from kneeline.config import Settings
    from kneeline.jobs.base import JobQueue
    from kneeline.store.db import Database
    from kneeline.store.files import FileStore

__all__ = [
    "WebContext", "Account", "Auth", "SessionDep", "AuthDep", "OptionalAuthDep", "PatientDep", "ClinicianDep",
    "AdminDep", "CsrfDep", "NotSignedIn", "Forbidden", "NotFound", "get_ctx", "visible_patient", "SESSION_COOKIE",
    "PRE_CSRF_COOKIE",
]

SESSION_COOKIE = "kneeline_session"
PRE_CSRF_COOKIE = "kneeline_csrf"


@dataclass(eq=False)
class WebContext:
    """Everything a request needs that lives as long as the app."""

    settings: Settings
    data_dir: Path
    db: Database
    files: FileStore
    jobs: JobQueue
    templates: Jinja2Templates


class NotSignedIn(Exception):
    """The page needs a signed-in user (answered with a redirect to the log-in page)."""


class Forbidden(Exception):
    """The signed-in user may not see or change this (answered 403)."""

    def __init__(self, message: str = "You don't have access to this page.") -> None:
        super().__init__(message)


class NotFound(Exception):
    """Nothing here (answered 404)."""

    def __init__(self, message: str = "This page does not exist.") -> None:
        super().__init__(message)


class CsrfError(Exception):
    """A form arrived without the right CSRF token (answered 403)."""


def get_ctx(request: Request) -> WebContext:
    """The app's :class:`WebContext`."""
    ctx: WebContext = request.app.state.ctx
    return ctx


def db_session(request: Request) -> Iterator[Session]:
    """A database session for one request: committed when the route returns, rolled back on error."""
    with get_ctx(request).db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(db_session, scope="function")]


@dataclass(frozen=True)
class Account:
    """The signed-in user's account, copied out of the database row (usable after the session ends)."""

    id: int
    email: str
    name: str
    role: str
    password_hash: str

    @classmethod
    def of(cls, user: User) -> Account:
        """Copy of a ``users`` row."""
        return cls(id=user.id, email=user.email, name=user.name, role=user.role, password_hash=user.password_hash)


@dataclass(frozen=True)
class Auth:
    """The signed-in user and their sign-in session's CSRF token."""

    user: Account
    csrf: str


def optional_auth(request: Request, session: SessionDep) -> Auth | None:
    """The signed-in user, or None."""
    found = find_session(session, request.cookies.get(SESSION_COOKIE))
    if found is None:
        return None
    user = session.get(User, found.user_id)
    if user is None:
        return None
    auth = Auth(user=Account.of(user), csrf=found.csrf_token)
    request.state.auth = auth
    return auth


OptionalAuthDep = Annotated[Auth | None, Depends(optional_auth)]


def require_auth(auth: OptionalAuthDep) -> Auth:
    """The signed-in user; otherwise the request is redirected to log in."""
    if auth is None:
        raise NotSignedIn
    return auth


AuthDep = Annotated[Auth, Depends(require_auth)]


def _role(auth: Auth, role: str, what: str) -> Auth:
    if auth.user.role != role:
        raise Forbidden(f"This page is for {what}.")
    return auth


def require_patient(auth: AuthDep) -> Auth:
    """A signed-in patient."""
    return _role(auth, "patient", "patients")


def require_clinician(auth: AuthDep) -> Auth:
    """A signed-in clinician."""
    return _role(auth, "clinician", "clinicians (physiotherapists)")


def require_admin(auth: AuthDep) -> Auth:
    """A signed-in administrator."""
    return _role(auth, "admin", "administrators")


PatientDep = Annotated[Auth, Depends(require_patient)]
ClinicianDep = Annotated[Auth, Depends(require_clinician)]
AdminDep = Annotated[Auth, Depends(require_admin)]


async def check_csrf(request: Request, session: SessionDep) -> None:
    """Refuse a form whose ``csrf_token`` field does not match the session's (or pre-session) token."""
    form: Any = await request.form()
    given = form.get("csrf_token")
    given = given if isinstance(given, str) else None
    auth: Auth | None = getattr(request.state, "auth", None)
    if auth is None:  # routes without a user dependency (sign-up, log-in, log-out)
        auth = optional_auth(request, session)
    expected = auth.csrf if auth is not None else request.cookies.get(PRE_CSRF_COOKIE)
    if not tokens_match(expected, given):
        raise CsrfError


CsrfDep = Annotated[None, Depends(check_csrf)]


def is_linked(session: Session, clinician_id: int, patient_id: int) -> bool:
    """Whether the patient has linked this clinician."""
    return session.scalar(select(CareLink.id).where(CareLink.clinician_id == clinician_id,
                                                    CareLink.patient_id == patient_id)) is not None


def visible_patient(session: Session, auth: Auth, patient_id: int) -> User:
    """The patient whose record the request is about, if ``auth`` may see it.

    Raises
    ------
    Forbidden
        For anyone but the patient themself or a linked clinician (administrators included), and for
        an unknown id (so that ids of other people's records reveal nothing).
    """
    patient = session.get(User, patient_id)
    if patient is not None and patient.role == "patient":
        if auth.user.id == patient.id:
            return patient
        if auth.user.role == "clinician" and is_linked(session, auth.user.id, patient.id):
            return patient
    raise Forbidden("You don't have access to this patient's record.")
