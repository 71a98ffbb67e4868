"""The model's replies to students keep its reasoning trace, for teachers and admins (never students).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('model_requests') as batch:
        batch.add_column(sa.Column('trace', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('model_requests') as batch:
        batch.drop_column('trace')
