"""The app factory: ``create_app(settings)`` gives each caller (server, test) its own database and jobs."""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kneeline.config import Settings, load_settings
from kneeline.errors import InputError, KneelineError
from kneeline.web.deps import MAX_ID, CsrfError, Forbidden, NotFound, NotSignedIn, WebContext
from kneeline.web.render import error_page

if TYPE_CHECKING:
    from kneeline.store.db import Database

__all__ = ["create_app"]

_HERE = Path(__file__).resolve().parent
_log = logging.getLogger("kneeline.web")

_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
                               "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
    "Permissions-Policy": "camera=(self), microphone=()",
}
_HSTS = "max-age=31536000"
"""Sent when ``web.secure_cookies`` is on (the app is served over HTTPS)."""

_NOT_WRITABLE = ("kneeline cannot write to its data folder or database, so nothing was saved. The data folder is "
                 "not writable (read-only disk, wrong owner or permissions, or a full disk): tell the "
                 "administrator; nothing you entered before this page was lost.")


def _context(settings: Settings, start_jobs: bool) -> WebContext:
    from kneeline.jobs.base import InlineJobs, JobQueue
    from kneeline.jobs.factory import make_job_queue
    from kneeline.store.db import database_url, default_data_dir, open_database
    from kneeline.store.files import FileStore
    from kneeline.web.security import server_secret
    from kneeline.web.templating import make_templates

    data_dir = Path(settings.data_dir) if settings.data_dir else default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = server_secret(data_dir, settings.web.secret_key)
    url = database_url(data_dir, settings.database_url)
    db = open_database(url)
    _check_writable(data_dir, db)
    files = FileStore(data_dir)
    jobs: JobQueue = (make_job_queue(settings.jobs, url, data_dir, workers=settings.web.workers) if start_jobs
                      else InlineJobs(url, data_dir, run=False))
    return WebContext(settings=settings, data_dir=data_dir, db=db, files=files, jobs=jobs,
                      templates=make_templates(_HERE / "templates"), secret=secret)


def _check_writable(data_dir: Path, db: Database) -> None:
    """Refuse to start on a data folder or database that cannot be written, saying which.

    Raises
    ------
    InputError
        Naming the folder or database and what to check.
    """
    import tempfile
    from datetime import UTC, datetime

    from sqlalchemy import delete

    from kneeline.store.models import LoginAttempt

    try:
        with tempfile.TemporaryFile(dir=data_dir):
            pass
    except OSError as exc:
        raise InputError(f"the data folder {data_dir} is not writable ({exc.strerror}); kneeline keeps its "
                         "database and videos there. Check its owner, permissions and free space, or choose "
                         "another folder with --data-dir.") from None
    try:
        with db.session() as session:  # deletes nothing, but needs the right to write
            session.execute(delete(LoginAttempt).where(LoginAttempt.at < datetime(1971, 1, 1, tzinfo=UTC)))
    except OperationalError as exc:
        raise InputError(f"the database {db.url} is not writable ({exc.orig}); check the file's owner and "
                         "permissions (SQLite) or the role's rights (PostgreSQL).") from None


_RETENTION_EVERY_S = 86_400.0
"""The retention settings are applied at start and then once a day."""


async def _retention_daily(ctx: WebContext) -> None:
    """Apply ``privacy`` retention every :data:`_RETENTION_EVERY_S` after the start (logged, never fatal)."""
    from starlette.concurrency import run_in_threadpool

    from kneeline.store.retention import apply_retention

    while True:
        await asyncio.sleep(_RETENTION_EVERY_S)
        try:
            await run_in_threadpool(apply_retention, ctx.db, ctx.files, ctx.settings.privacy)
        except Exception:  # a database hiccup: try again at the next pass
            _log.exception("applying the retention settings failed")


def _start_chores(ctx: WebContext) -> asyncio.Task[None]:
    """Resume interrupted analyses, sweep orphan files, apply retention; return the daily retention task."""
    from kneeline.store.retention import apply_retention
    from kneeline.store.rights import sweep_orphans

    resumed = ctx.jobs.resume()
    if resumed:
        _log.info("resumed %d interrupted analyses", resumed)
    sweep_orphans(ctx.db, ctx.files)
    apply_retention(ctx.db, ctx.files, ctx.settings.privacy)
    return asyncio.create_task(_retention_daily(ctx))


def _is_not_writable(exc: BaseException) -> bool:
    """Whether ``exc`` says the data folder or the database cannot be written."""
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower()
        return "readonly" in text or "read-only" in text or "disk i/o error" in text or "disk is full" in text
    return isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC)


def _huge_id(path: str) -> bool:
    """Whether a segment of ``path`` is a number too large to be a row id (it can name nothing)."""
    return any(part.isdigit() and (len(part) > 19 or int(part) > MAX_ID) for part in path.split("/"))


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def _signin(request: Request, exc: NotSignedIn) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> HTMLResponse:
        return error_page(request, 403, "Not allowed", str(exc))

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, exc: CsrfError) -> HTMLResponse:
        return error_page(request, 403, "Form expired", "This form was out of date or came from another site. "
                          "Go back, reload the page and submit it again.")

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> HTMLResponse:
        return error_page(request, 404, "Not found", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        if exc.status_code == 404:
            return error_page(request, 404, "Not found", "This page does not exist. Check the address, or go "
                              "back to your home page.")
        if exc.status_code == 405:
            return error_page(request, 405, "Not allowed", "This address does not take that kind of request.")
        return error_page(request, exc.status_code, "Request refused", str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> HTMLResponse:
        if any(e.get("loc", ("",))[0] == "path" for e in exc.errors()):  # e.g. /analyses/0 or /analyses/x
            return error_page(request, 404, "Not found", "This page does not exist. Check the address, or go "
                              "back to your home page.")
        fields = sorted({str(e.get("loc", ["", "?"])[-1]) for e in exc.errors()})
        return error_page(request, 400, "Invalid request", f"These fields were missing or malformed: "
                          f"{', '.join(fields)}. Go back and check the form.")

    @app.exception_handler(KneelineError)
    async def _kneeline(request: Request, exc: KneelineError) -> HTMLResponse:
        return error_page(request, 400, "Could not do that", str(exc))

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> HTMLResponse:
        if _is_not_writable(exc):
            _log.error("data folder or database not writable on %s %s: %s", request.method, request.url.path, exc)
            return error_page(request, 503, "The data folder is not writable", _NOT_WRITABLE)
        _log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_page(request, 500, "Something went wrong", "kneeline hit an internal error. Nothing you "
                          "entered before this page was lost. Try again; if it happens again, report it.")


_MULTIPART_OVERHEAD = 64 * 1024
"""Bytes a form adds around an uploaded file (boundaries, other fields)."""


def _refuse_oversized(request: Request) -> HTMLResponse | None:
    """An error page for a request whose declared size is over the upload limit, before its body is read.

    The file store checks the real size again while it reads (a body may declare no length).
    """
    from kneeline.web.routes.analyses import too_large_message, upload_limit_bytes

    length = request.headers.get("content-length", "")
    if request.method != "POST" or not length.isdigit():
        return None
    limit = upload_limit_bytes(request)
    if int(length) <= limit + _MULTIPART_OVERHEAD:
        return None
    return error_page(request, 413, "This video is too large", too_large_message(int(length), limit))


def create_app(settings: Settings | None = None, *, start_jobs: bool = True) -> FastAPI:
    """Create the web app.

    Parameters
    ----------
    settings
        kneeline settings (default: :func:`kneeline.config.load_settings`, i.e. environment variables).
    start_jobs
        Run uploaded videos in background processes (False: jobs stay queued; for tests of pages only).
    """
    import importlib

    from kneeline.web.routes import MODULES

    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from kneeline.web.processes import LeadLock

        ctx = _context(settings, start_jobs)
        app.state.ctx = ctx
        lead = LeadLock(ctx.data_dir)
        # with several server processes (web.processes) one of them does the once-per-server chores
        retention = _start_chores(ctx) if lead.acquire() else None
        try:
            yield
        finally:
            if retention is not None:
                retention.cancel()
            ctx.jobs.shutdown(wait=False)
            ctx.db.dispose()
            lead.release()

    app = FastAPI(title="kneeline", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    for module in MODULES:
        app.include_router(importlib.import_module(module).router)
    _handlers(app)

    @app.middleware("http")
    async def _headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        refused = _refuse_oversized(request)
        if refused is None and _huge_id(request.url.path):
            refused = error_page(request, 404, "Not found", "This page does not exist. Check the address.")
        response = refused if refused is not None else await call_next(request)
        for key, val in _SECURITY_HEADERS.items():
            response.headers.setdefault(key, val)
        if settings.web.secure_cookies:
            response.headers.setdefault("Strict-Transport-Security", _HSTS)
        return response

    return app
