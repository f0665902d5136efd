"""Alembic environment: kneeline runs migrations in-process on a connection it passes in."""

from __future__ import annotations

from alembic import context

from kneeline.store.models import Base

_connection = context.config.attributes.get("connection")
if _connection is None:
    raise RuntimeError("kneeline migrations run through kneeline.store.db.migrate(engine), which passes a "
                       "connection; the alembic command line is not set up for this project.")
context.configure(connection=_connection, target_metadata=Base.metadata,
                  render_as_batch=_connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
