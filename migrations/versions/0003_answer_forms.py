"""Problems say the form their final answer must have; rejected steps keep the misconception diagnosed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 06:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form", sa.String(length=64), server_default="equivalent", nullable=False))
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("misconception", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_column("misconception")
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_column("form")
