"""Hardening and privacy (issue 18): job leases, attempt kinds, ids never reused, record access log.

- ``analyses.lease_until``: a running job's claim expires unless its worker renews it.
- ``login_attempts.kind`` and ``.trusted``: sign-ups are rate-limited with log-ins; attempts from a
  known device are counted apart.
- ``analyses`` and ``coached_sets`` become ``AUTOINCREMENT`` on SQLite (the table is rebuilt, rows
  kept), so the id of a deleted row is never given to a new one; PostgreSQL sequences never reuse.
- ``record_access``: who (other than the patient) opened a patient's record.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_NO_INCOMING_KEYS = ("analyses", "coached_sets")
"""Tables rebuilt on SQLite; no foreign key points at them, so dropping the old copy deletes nothing."""


def upgrade() -> None:
    """Apply this revision."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("analyses", schema=None, recreate="always" if sqlite else "auto",
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    if sqlite:
        with op.batch_alter_table("coached_sets", schema=None, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": True}):
            pass
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=8), server_default="login", nullable=False))
        batch_op.add_column(sa.Column("trusted", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "record_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("viewer_id", sa.Integer(), nullable=True),
        sa.Column("viewer_name", sa.String(length=120), nullable=False),
        sa.Column("viewer_role", sa.String(length=16), nullable=False),
        sa.Column("what", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["users.id"], name=op.f("fk_record_access_patient_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["viewer_id"], ["users.id"], name=op.f("fk_record_access_viewer_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_access")),
    )
    with op.batch_alter_table("record_access", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_access_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_access_at"), ["at"], unique=False)


def downgrade() -> None:
    """Revert this revision (SQLite tables stay AUTOINCREMENT: harmless)."""
    op.drop_table("record_access")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_column("trusted")
        batch_op.drop_column("kind")
    with op.batch_alter_table("analyses", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
