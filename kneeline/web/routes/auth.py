"""Sign-up, log-in (rate limited) and log-out."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from kneeline.store.models import PatientProfile, User
from kneeline.web.deps import SESSION_COOKIE, Account, CsrfDep, OptionalAuthDep, SessionDep, get_ctx
from kneeline.web.render import page, redirect
from kneeline.web.security import (
    MIN_PASSWORD_LENGTH,
    clear_failures,
    end_session,
    hash_password,
    login_blocked,
    record_failure,
    start_session,
    verify_password,
)

router = APIRouter()

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_HOME = {"patient": "/home", "clinician": "/clinic", "admin": "/admin"}


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
    return response


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
    if not errors and session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        errors["email"] = "an account with this e-mail address already exists; log in instead"
    if errors:
        return page(request, "signup.html", status_code=400, errors=errors, min_password=MIN_PASSWORD_LENGTH,
                    form={"name": name, "email": email, "role": role})
    user = User(email=email, name=name, password_hash=hash_password(password), role=role)
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
    """Check the password (argon2) with a per-address and per-client rate limit."""
    web = get_ctx(request).settings.web
    email = email.strip().lower()
    client = request.client.host if request.client else "unknown"
    if login_blocked(session, email, client, web.login_max_failures, web.login_window_s):
        minutes = max(1, round(web.login_window_s / 60))
        return page(request, "login.html", status_code=429, email=email, next=_safe_next(next),
                    errors={"log-in": f"too many failed attempts; wait {minutes} minutes and try again"})
    user = session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None or not verify_password(user.password_hash, password):
        record_failure(session, email, client, web.login_window_s)
        return page(request, "login.html", status_code=400, email=email, next=_safe_next(next),
                    errors={"log-in": "e-mail address or password is wrong"})
    clear_failures(session, email)
    return _signed_in(request, session, user, _safe_next(next) or home_of(user))


@router.post("/logout")
def logout(request: Request, session: SessionDep, _csrf: CsrfDep) -> Response:
    """Sign out this browser."""
    end_session(session, request.cookies.get(SESSION_COOKIE))
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response
