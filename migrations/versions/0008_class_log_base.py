"""A class (course) says what a bare ``log`` means in its problems: base 10 or the natural logarithm.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("log_base", sa.String(length=2), server_default="10", nullable=False))
        batch_op.create_check_constraint(op.f("ck_classes_log_base"), "log_base IN ('10', 'e')")


def downgrade() -> None:
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_classes_log_base"), type_="check")
        batch_op.drop_column("log_base")
