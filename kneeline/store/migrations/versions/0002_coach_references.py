"""Coach reference sets: one accepted set per patient and exercise.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('coach_references',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.String(length=60), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['users.id'], name=op.f('fk_coach_references_patient_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_coach_references_set_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coach_references')),
    sa.UniqueConstraint('patient_id', 'exercise_id', name='exercise')
    )
    with op.batch_alter_table('coach_references', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coach_references_patient_id'), ['patient_id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('coach_references', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coach_references_patient_id'))

    op.drop_table('coach_references')
