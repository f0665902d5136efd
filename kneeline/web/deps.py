"""Request dependencies: the database session, the signed-in user, CSRF checks and record access.

Access rule, applied by :func:`visible_patient` on every route that shows or changes a record: a
patient sees only their own record; a clinician sees only patients who linked them; an
administrator manages accounts but sees no health data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi import Path as PathParam
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from kneeline.errors import InputError
from kneeline.store.models import CareLink, User
from kneeline.web.security import client_address, find_session, tokens_match, unsign

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates

    from kneeline.config import Settings
    from kneeline.jobs.base import JobQueue
    from kneeline.store.db import Database
    from kneeline.store.files import FileStore

__all__ = [
    "WebContext", "Account", "Auth", "SessionDep", "AuthDep", "OptionalAuthDep", "PatientDep", "ClinicianDep",
    "AdminDep", "CsrfDep", "FormDep", "NotSignedIn", "Forbidden", "NotFound", "get_ctx", "visible_patient",
    "SESSION_COOKIE", "PRE_CSRF_COOKIE", "DEVICE_COOKIE", "MAX_ID", "IdPath", "client_of",
]

SESSION_COOKIE = "kneeline_session"
PRE_CSRF_COOKIE = "kneeline_csrf"
DEVICE_COOKIE = "kneeline_device"
"""A signed cookie naming the account a browser signed in to (a known device: see security.py)."""

MAX_ID = 2**63 - 1
"""Largest row id (64-bit); a longer number in a path names nothing (404, not an overflow)."""

IdPath = Annotated[int, PathParam(ge=1, le=MAX_ID)]
"""A row id in a path: 1 to :data:`MAX_ID` (anything else answers 404)."""


@dataclass(eq=False)
class WebContext:
    """Everything a request needs that lives as long as the app."""

    settings: Settings
    data_dir: Path
    db: Database
    files: FileStore
    jobs: JobQueue
    templates: Jinja2Templates
    secret: bytes = b""
    """Key signing the pre-log-in CSRF cookie and known-device cookies."""
    live_sockets: dict[int, int] = field(default_factory=dict)
    """Open live-coaching sockets per user id (capped by ``web.max_live_sockets``)."""


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


def client_of(request: Request) -> str:
    """The client's address for rate limits (``X-Forwarded-For`` only from ``web.trusted_proxies``)."""
    web = get_ctx(request).settings.web
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), tuple(web.trusted_proxies))


def db_session(request: Request) -> Iterator[Session]:
    """A database session for one request: committed when the route returns, rolled back on error.

    A route may end the transaction early (``session.rollback()`` or ``commit()``) to hand its
    connection back to the pool, and go on using the session (a new transaction begins).
    """
    session = get_ctx(request).db.sessions()
    request.state.db_session = session  # for helpers of the request that have no session argument
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        request.state.db_session = None  # closed: an error page after this opens its own
        session.close()


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


async def read_form(request: Request) -> FormData:
    """The request's form fields, read once per request.

    The only ``async`` dependency of the form routes: reading the body awaits the network, so it
    runs on the event loop; everything that touches the database (:func:`check_csrf`, the route)
    is a plain ``def`` that FastAPI runs in its thread pool, so a request waiting for a database
    lock never blocks the other requests of its process.
    """
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


def check_csrf(request: Request, session: SessionDep, form: FormDep) -> None:
    """Refuse a form whose ``csrf_token`` field does not match the session's (or pre-session) token.

    The pre-session cookie must carry the server's signature (a cookie set by another site or a
    sibling sub-domain is refused).  Every form passes here, so text fields holding NUL characters
    are refused here too (PostgreSQL cannot store them; no form needs them).

    Raises
    ------
    CsrfError
        When the token is missing or wrong.
    InputError
        When a text field holds a NUL character.
    """
    given = form.get("csrf_token")
    given = given if isinstance(given, str) else None
    auth: Auth | None = getattr(request.state, "auth", None)
    if auth is None:  # routes without a user dependency (sign-up, log-in, log-out)
        auth = optional_auth(request, session)
    expected: str | None
    if auth is not None:
        expected = auth.csrf
    else:
        cookie = request.cookies.get(PRE_CSRF_COOKIE)
        expected = cookie if unsign(get_ctx(request).secret, cookie) is not None else None
    if not tokens_match(expected, given):
        raise CsrfError
    bad = sorted({key for key, val in form.multi_items() if isinstance(val, str) and "\x00" in val})
    if bad:
        raise InputError(f"the field(s) {', '.join(bad)} hold a NUL character (code 0), which kneeline does not "
                         "store; remove it (it often comes from pasting binary data) and send the form again.")


CsrfDep = Annotated[None, Depends(check_csrf)]


def is_linked(session: Session, clinician_id: int, patient_id: int) -> bool:
    """Whether the patient has linked this clinician."""
    return session.scalar(select(CareLink.id).where(CareLink.clinician_id == clinician_id,
                                                    CareLink.patient_id == patient_id)) is not None


def visible_patient(session: Session, auth: Auth, patient_id: int) -> User:
    """The patient whose record the request is about, if ``auth`` may see it.

    A linked clinician's access is written to the patient's access log (:mod:`kneeline.store.access`).

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
            from kneeline.store.access import note_access

            note_access(session, patient.id, auth.user.id, auth.user.name, auth.user.role)  # the patient sees it
            return patient
    raise Forbidden("You don't have access to this patient's record.")
