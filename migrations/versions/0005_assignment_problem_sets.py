"""Assignments can be problem sets: the problems a teacher chose, in order.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 08:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'assignment_problems',
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('problem_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'],
                                name=op.f('fk_assignment_problems_assignment_id_assignments'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['problem_id'], ['problems.id'],
                                name=op.f('fk_assignment_problems_problem_id_problems')),
        sa.PrimaryKeyConstraint('assignment_id', 'position', name=op.f('pk_assignment_problems')),
    )


def downgrade() -> None:
    op.drop_table('assignment_problems')
