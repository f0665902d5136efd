"""Rendering pages: one helper that adds the signed-in user, the CSRF token and the error pages."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kneeline.web.deps import PRE_CSRF_COOKIE, Auth, get_ctx
from kneeline.web.security import signed_token, unsign

__all__ = ["page", "redirect", "error_page"]


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with ``auth`` (or None), ``csrf`` and ``context``.

    Before sign-in, forms carry a token that is also set as a cookie (double-submit); after sign-in,
    the session's own token.
    """
    auth: Auth | None = getattr(request.state, "auth", None)
    new_cookie = None
    if auth is not None:
        csrf = auth.csrf
    else:
        csrf = request.cookies.get(PRE_CSRF_COOKIE) or ""
        if unsign(get_ctx(request).secret, csrf) is None:  # none yet, or not signed by this server
            csrf = new_cookie = signed_token(get_ctx(request).secret)
    ctx = get_ctx(request)
    if "referred" not in context:
        context["referred"] = _referred(request, auth)
    response = ctx.templates.TemplateResponse(request, template, {"auth": auth, "csrf": csrf, **context},
                                              status_code=status_code)
    if new_cookie is not None:
        response.set_cookie(PRE_CSRF_COOKIE, new_cookie, httponly=True, samesite="strict",
                            secure=ctx.settings.web.secure_cookies)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _referred(request: Request, auth: Auth | None) -> bool:
    """Whether the signed-in patient's newest program version is a referral (a red flag stopped the program).

    The navigation then leads to the referral instead of inviting filming, as the home page does.
    """
    if auth is None or auth.user.role != "patient":
        return False
    from kneeline.store.records import current_program

    # The request's own session when it has one: a second connection per request, taken while the
    # first is held, lets concurrent requests use up the pool and wait on each other (issue 17).
    session = getattr(request.state, "db_session", None)
    with nullcontext(session) if session is not None else get_ctx(request).db.session() as db:
        row = current_program(db, auth.user.id)
        return row is not None and row.status == "referred"


def redirect(url: str) -> RedirectResponse:
    """A 303 redirect (after a form post, the browser follows with GET)."""
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, status_code: int, title: str, message: str) -> HTMLResponse:
    """A plain error page: what happened and what to do, never a stack trace."""
    return page(request, "error.html", status_code=status_code, title=title, message=message)
