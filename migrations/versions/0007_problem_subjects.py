"""Problems imported from a public set keep its subject (MATH-500's "Precalculus").

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('problems') as batch:
        batch.add_column(sa.Column('subject', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('problems') as batch:
        batch.drop_column('subject')
