"""``kneeline serve``: the web app on this computer (SQLite in the data folder, nothing to set up).

``kneeline add-admin`` creates an administrator account (administrators see accounts, never health
records); ``kneeline unlock`` lifts the log-in lock of an account (its failed attempts are forgotten).
"""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kneeline.cli.common import run_guarded, stderr_console
from kneeline.errors import InputError, ValidationError

if TYPE_CHECKING:
    from kneeline.config import Settings

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``add-admin`` to ``app``."""
    app.command("serve")(serve_command)
    app.command("add-admin")(add_admin_command)
    app.command("unlock")(unlock_command)


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(f"port {port} on {host} is already in use (is kneeline already running?); "
                                 "stop the other program or choose another port with --port.") from None
            raise InputError(f"cannot listen on {host}:{port} ({exc.strerror}); check --host.") from None


def _settings(data_dir: Path | None, database_url: str | None, **web: object):  # type: ignore[no-untyped-def]
    from kneeline.config import load_settings

    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    base = load_settings()
    web_values = {**base.web.model_dump(), **{k: v for k, v in web.items() if v is not None}}
    return load_settings(**overrides, web=web_values)


def serve_command(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default 127.0.0.1: this computer "
                                                  "only).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Folder for the database and videos "
                                                        "(default: your user data folder).")] = None,
    database_url: Annotated[str | None, typer.Option(help="PostgreSQL URL for a clinic, e.g. "
                                                          "postgresql://user:pw@host/kneeline.")] = None,
    workers: Annotated[int | None, typer.Option(help="Background processes analysing videos (per server "
                                                     "process).")] = None,
    processes: Annotated[int | None, typer.Option(help="Server processes answering requests (default: one per "
                                                       "CPU core, at most 4, with PostgreSQL; 1 with "
                                                       "SQLite).")] = None,
) -> None:
    """Start the web app: record or upload a test, see results, follow the program, log sessions."""
    def work() -> None:
        import uvicorn

        from kneeline.store.db import default_data_dir
        from kneeline.web.app import create_app
        from kneeline.web.processes import server_processes

        settings = _settings(data_dir, database_url, host=host, port=port, workers=workers, processes=processes)
        _check_port(settings.web.host, settings.web.port)
        folder = settings.data_dir or default_data_dir()
        count = server_processes(settings)
        stderr_console().print(f"kneeline is running at http://{settings.web.host}:{settings.web.port}/ "
                               f"(data in {folder}; {count} server process{'es' if count > 1 else ''}); press "
                               "Ctrl+C to stop.", highlight=False, markup=False)
        # proxy_headers off: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1, so any local
        # client could pick its own address; the app reads it only from web.trusted_proxies (client_of).
        options: dict[str, Any] = {"host": settings.web.host, "port": settings.web.port, "log_level": "warning",
                                   "ws_max_size": 4 * 1024 * 1024, "proxy_headers": False, "server_header": False}
        if count == 1:
            uvicorn.run(create_app(settings), **options)
            return
        _prepare_shared(settings)
        _export_flags(data_dir=data_dir, database_url=database_url, host=host, port=port, workers=workers)
        # each process builds its app from the environment (the flags above are in it now)
        uvicorn.run("kneeline.web.app:create_app", factory=True, workers=count, **options)
    run_guarded(work)


def _prepare_shared(settings: Settings) -> None:
    """Do once, before the server processes start, what they would otherwise race to do.

    The database is migrated (two processes migrating at once would both try to create the same
    tables) and the data folder's signing key is created (so that every process signs cookies with it).
    """
    from kneeline.store.db import database_url as url_for
    from kneeline.store.db import default_data_dir, open_database
    from kneeline.web.security import server_secret

    folder = Path(settings.data_dir) if settings.data_dir else default_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    open_database(url_for(folder, settings.database_url)).dispose()
    server_secret(folder, settings.web.secret_key)


def _export_flags(*, data_dir: Path | None, database_url: str | None, **web: object) -> None:
    """Put the command's flags into this process's environment, for the server processes it starts.

    They are read with the rest of the environment (``KNEELINE_*``) by each process's
    :func:`kneeline.config.load_settings`; a flag overrides the same variable set before.
    """
    import os

    if data_dir is not None:
        os.environ["KNEELINE_DATA_DIR"] = str(data_dir.expanduser().resolve())
    if database_url is not None:
        os.environ["KNEELINE_DATABASE_URL"] = database_url
    for key, value in web.items():
        if value is not None:
            os.environ[f"KNEELINE_WEB__{key.upper()}"] = str(value)


def add_admin_command(
    email: Annotated[str, typer.Argument(help="The administrator's e-mail address.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "Administrator",
    data_dir: Annotated[Path | None, typer.Option(help="Data folder (as for serve).")] = None,
    database_url: Annotated[str | None, typer.Option(help="Database URL (as for serve).")] = None,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="KNEELINE_ADMIN_PASSWORD", help="Password (prompted).")] = "",
) -> None:
    """Create an administrator account (manages accounts; sees no health records)."""
    def work() -> None:
        from sqlalchemy import func, select

        from kneeline.store.db import database_url as url_for
        from kneeline.store.db import default_data_dir, open_database
        from kneeline.store.models import User
        from kneeline.web.security import MIN_PASSWORD_LENGTH, hash_password

        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValidationError(f"password: use at least {MIN_PASSWORD_LENGTH} characters (got {len(password)})")
        settings = _settings(data_dir, database_url)
        db = open_database(url_for(settings.data_dir or default_data_dir(), settings.database_url))
        with db.session() as session:
            address = email.strip().lower()
            if session.scalar(select(User.id).where(func.lower(User.email) == address)) is not None:
                raise ValidationError(f"an account with the address {address!r} already exists")
            session.add(User(email=address, name=name, password_hash=hash_password(password), role="admin"))
        db.dispose()
        typer.echo(f"administrator {address} created")
    run_guarded(work)


def unlock_command(
    email: Annotated[str, typer.Argument(help="The e-mail address of the locked account.")],
    data_dir: Annotated[Path | None, typer.Option(help="Data folder (as for serve).")] = None,
    database_url: Annotated[str | None, typer.Option(help="Database URL (as for serve).")] = None,
) -> None:
    """Lift the log-in lock of an account after too many wrong passwords (forgets its failed attempts)."""
    def work() -> None:
        from kneeline.store.db import database_url as url_for
        from kneeline.store.db import default_data_dir, open_database
        from kneeline.web.security import clear_failures

        settings = _settings(data_dir, database_url)
        db = open_database(url_for(settings.data_dir or default_data_dir(), settings.database_url))
        try:
            clear_failures(db, email.strip().lower())
        finally:
            db.dispose()
        typer.echo(f"log-in attempts of {email.strip().lower()} forgotten; the account can log in again")
    run_guarded(work)
