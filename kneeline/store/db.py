"""Opening kneeline's database: SQLite in the data directory by default, PostgreSQL by URL.

``open_database`` creates the engine, applies every Alembic migration (so a new version of kneeline
upgrades an existing database at start) and returns a :class:`Database` with a session factory.
SQLite runs in WAL mode with foreign keys on, so the web server and its background analysis
processes can read and write at the same time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kneeline.errors import DataError, InputError

__all__ = ["Database", "default_data_dir", "database_url", "open_database", "migrate"]

_SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a writer waits for another one to finish (not a clinical number)."""


def default_data_dir() -> Path:
    """The user's kneeline folder.

    ``$KNEELINE_DATA_DIR``, else ``$XDG_DATA_HOME/kneeline``, else ``~/.local/share/kneeline``.
    """
    explicit = os.environ.get("KNEELINE_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kneeline"


def database_url(data_dir: Path, url: str | None = None) -> str:
    """The database URL: ``url`` when given, else SQLite at ``data_dir/kneeline.db``.

    A ``postgresql://`` URL is given the psycopg 3 driver.
    """
    if not url:
        return f"sqlite:///{(Path(data_dir) / 'kneeline.db').resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL (readers never wait for the writer), foreign keys, a busy timeout, fsync at checkpoints only.

    Transactions keep pysqlite's own control on purpose: it opens one with the first
    ``INSERT``/``UPDATE``/``DELETE``, so a write transaction asks for the write lock at its first
    statement and waits for it (``busy_timeout``) instead of failing, as a read transaction that
    later writes would (SQLite cannot wait there: its snapshot may be stale).  Reads before the
    first write run outside a transaction.  Measured (issue 17, ``benchmarks/web_load.py``): 50
    sign-ups + intakes at once, 0 failures without ``BEGIN IMMEDIATE`` or retries; the failures
    before came from waiting on the event loop and from a second pooled connection per request.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` (SQLite gets WAL, foreign keys and a busy timeout).

    Raises
    ------
    InputError
        If the URL is malformed or names a database kneeline does not support.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InputError(f"database URL {url!r} is not valid ({exc}); expected e.g. "
                         "postgresql://user:password@host/dbname or sqlite:///path/kneeline.db") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if backend == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    raise InputError(f"database {backend!r} is not supported; use SQLite (default) or PostgreSQL.")


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to ``revision`` (default: the latest) with Alembic (idempotent).

    Raises
    ------
    InputError
        If the database cannot be reached.
    """
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.begin() as connection:
            if sqlite:
                # A rebuilt table (batch migration) is dropped and re-created; with foreign keys on,
                # SQLite would cascade that drop into every child row.  Off for the migration (the
                # first statement, so before pysqlite opens a transaction), checked after it.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise DataError(f"the database migration left {len(broken)} row(s) pointing at missing "
                                    f"rows (first: {tuple(broken[0])}); nothing was changed")
    except OperationalError as exc:
        raise InputError(f"cannot open the database at {engine.url.render_as_string(hide_password=True)} "
                         f"({exc.orig}); check KNEELINE_DATABASE_URL and that the server is running.") from None
    finally:
        if sqlite:
            engine.dispose()  # pooled connections come back with the on-connect pragmas (foreign keys on)


@dataclass(frozen=True, eq=False)
class Database:
    """An engine with its session factory."""

    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def url(self) -> str:
        """The URL with any password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends without error and rolls back otherwise."""
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def open_database(url: str, *, upgrade: bool = True) -> Database:
    """Open (and by default migrate) the database at ``url``."""
    engine = make_engine(url)
    if upgrade:
        migrate(engine)
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
