"""Sign-up, log-in (rate limited) and log-out.

Neither page tells whether an address has an account: a log-in for an unknown address does the same
password work as one for a known address, and sign-up with a taken address gets the same neutral
answer as other refusals.  Limits and lock-out: :mod:`kneeline.web.security`.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from kneeline.store.models import PatientProfile, User
from kneeline.web.deps import (
    DEVICE_COOKIE,
    SESSION_COOKIE,
    Account,
    CsrfDep,
    OptionalAuthDep,
    SessionDep,
    client_of,
    get_ctx,
)
from kneeline.web.render import page, redirect
from kneeline.web.security import (
    MIN_PASSWORD_LENGTH,
    LoginLimits,
    end_session,
    hash_password,
    new_token,
    release_login,
    reserve_login,
    reserve_signup,
    sign,
    start_session,
    unsign,
    verify_or_dummy,
)

router = APIRouter()

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_HOME = {"patient": "/home", "clinician": "/clinic", "admin": "/admin"}
_DEVICE_DAYS = 365
_TAKEN = ("kneeline cannot create an account with this e-mail address. If you have signed up before, log in "
          "instead; otherwise check the address or use another one.")


def home_of(user: User | Account) -> str:
    """The first page of a user's role."""
    return _HOME.get(user.role, "/")


def _safe_next(next_url: str | None) -> str | None:
    """Only same-site paths are followed after log-in (no open redirect)."""
    if next_url and next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url:
        return next_url
    return None


def _signed_in(request: Request, session: SessionDep, user: User, to: str) -> Response:
    ctx = get_ctx(request)
    token = start_session(session, user, ctx.settings.web.session_days)
    response = redirect(to)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=ctx.settings.web.secure_cookies,
                        max_age=int(ctx.settings.web.session_days * 86400))
    response.set_cookie(DEVICE_COOKIE, sign(ctx.secret, f"{user.id}:{new_token()}"), httponly=True,
                        samesite="strict", secure=ctx.settings.web.secure_cookies, max_age=_DEVICE_DAYS * 86400)
    return response


def _known_device(request: Request, user: User | None) -> bool:
    """Whether this browser signed in to ``user``'s account before (a signed device cookie)."""
    value = unsign(get_ctx(request).secret, request.cookies.get(DEVICE_COOKIE))
    return user is not None and value is not None and value.split(":", 1)[0] == str(user.id)


@router.get("/")
def index(request: Request, auth: OptionalAuthDep) -> Response:
    """Landing page, or the user's home when signed in."""
    if auth is not None:
        return redirect(home_of(auth.user))
    return page(request, "index.html")


@router.get("/signup")
def signup_form(request: Request, auth: OptionalAuthDep) -> Response:
    """The sign-up form."""
    return page(request, "signup.html", form={}, min_password=MIN_PASSWORD_LENGTH)


@router.post("/signup")
def signup(request: Request, session: SessionDep, _csrf: CsrfDep, name: Annotated[str, Form()] = "",
           email: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
           role: Annotated[str, Form()] = "patient") -> Response:
    """Create a patient or clinician account and sign in."""
    email = email.strip().lower()
    name = name.strip()
    errors: dict[str, str] = {}
    if not 1 <= len(name) <= 120:
        errors["name"] = "enter your name (1 to 120 characters)"
    if not _EMAIL.match(email) or len(email) > 254:
        errors["email"] = f"got {email!r}; expected an e-mail address like name@example.org"
    if not MIN_PASSWORD_LENGTH <= len(password) <= 256:
        errors["password"] = f"use {MIN_PASSWORD_LENGTH} to 256 characters (got {len(password)})"
    if role not in ("patient", "clinician"):
        errors["role"] = f"got {role!r}; choose patient or clinician"
    ctx = get_ctx(request)
    # Nothing is written yet: hand the request's connection back before the limit takes its own (holding
    # one while waiting for another lets concurrent requests use up the pool and wait on each other).
    session.rollback()
    if not reserve_signup(ctx.db, client_of(request), ctx.settings.web.signup_max_per_client,
                          ctx.settings.web.login_window_s):
        minutes = max(1, round(ctx.settings.web.login_window_s / 60))
        return page(request, "signup.html", status_code=429, min_password=MIN_PASSWORD_LENGTH,
                    form={"name": name, "email": email, "role": role},
                    errors={"email": f"too many sign-ups from this network; wait {minutes} minutes and try again"})
    password_hash = hash_password(password) if not errors else ""  # same work whether or not the address is taken
    if not errors and session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        errors["email"] = _TAKEN
    if errors:
        return page(request, "signup.html", status_code=400, errors=errors, min_password=MIN_PASSWORD_LENGTH,
                    form={"name": name, "email": email, "role": role})
    user = User(email=email, name=name, password_hash=password_hash, role=role)
    session.add(user)
    session.flush()
    if role == "patient":
        session.add(PatientProfile(user_id=user.id))
    return _signed_in(request, session, user, home_of(user))


@router.get("/login")
def login_form(request: Request, auth: OptionalAuthDep, next: str | None = None) -> Response:  # noqa: A002
    """The log-in form."""
    if auth is not None:
        return redirect(home_of(auth.user))
    return page(request, "login.html", next=_safe_next(next))


@router.post("/login")
def login(request: Request, session: SessionDep, _csrf: CsrfDep, email: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "") -> Response:  # noqa: A002
    """Check the password (argon2) within the per-account and per-client limits (security.py)."""
    ctx = get_ctx(request)
    web = ctx.settings.web
    email = email.strip().lower()[:254]
    found = session.scalar(select(User).where(func.lower(User.email) == email))
    user_id, stored_hash = (found.id, found.password_hash) if found is not None else (None, None)
    known = _known_device(request, found)
    session.rollback()  # nothing written yet: hand the connection back before the limits take theirs
    limits = LoginLimits(per_account=web.login_max_failures, per_client=web.client_max_failures,
                         window_s=web.login_window_s)
    reservation = reserve_login(ctx.db, email, client_of(request), known, limits)
    if reservation is None:
        minutes = max(1, round(web.login_window_s / 60))
        return page(request, "login.html", status_code=429, email=email, next=_safe_next(next),
                    errors={"log-in": f"too many failed attempts; wait up to {minutes} minutes and try again, or "
                                      "log in from a browser you have used with kneeline before"})
    right = verify_or_dummy(stored_hash, password)
    user = session.get(User, user_id) if right and user_id is not None else None
    if user is None:
        return page(request, "login.html", status_code=400, email=email, next=_safe_next(next),
                    errors={"log-in": "e-mail address or password is wrong"})
    release_login(ctx.db, reservation)
    return _signed_in(request, session, user, _safe_next(next) or home_of(user))


@router.post("/logout")
def logout(request: Request, session: SessionDep, _csrf: CsrfDep) -> Response:
    """Sign out this browser."""
    end_session(session, request.cookies.get(SESSION_COOKIE))
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response
