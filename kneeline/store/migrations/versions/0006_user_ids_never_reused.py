"""User ids are never given again (issue 18): ``users`` becomes ``AUTOINCREMENT`` on SQLite.

Without it SQLite hands the id of the most recently deleted account to the next one, so a link,
log line or bookmark naming the old id would point at a new person.  The table is rebuilt with its
rows; foreign keys are off while it is (``kneeline.store.db.migrate``), so no child row is touched.
PostgreSQL sequences never reuse ids: nothing changes there.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("users", schema=None, recreate="always",
                              table_kwargs={"sqlite_autoincrement": True}):
        pass


def downgrade() -> None:
    """Revert this revision (the SQLite table stays AUTOINCREMENT: harmless)."""
