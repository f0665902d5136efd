"""The live setup assistant (issue 11): a recording started before the setup checks were met.

- ``analyses.setup_warning``: the warning the analysis's capture warnings carry ("record anyway").

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("analyses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("setup_warning", sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("analyses", schema=None) as batch_op:
        batch_op.drop_column("setup_warning")
