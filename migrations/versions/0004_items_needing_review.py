"""Assessment items whose check could not finish are kept for review: ``correct`` may be NULL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 06:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assessment_items') as batch:
        batch.alter_column('correct', existing_type=sa.Boolean(), nullable=True)


def downgrade() -> None:
    # An undecided item cannot stay undecided in the old schema: it goes back to not correct.
    op.execute(sa.text('UPDATE assessment_items SET correct = false WHERE correct IS NULL'))
    with op.batch_alter_table('assessment_items') as batch:
        batch.alter_column('correct', existing_type=sa.Boolean(), nullable=False)
