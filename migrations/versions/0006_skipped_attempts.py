"""A learner can skip a problem: attempts may end "skipped" (not solved, and not given up either).

Only the CHECK constraint on ``attempts.status`` changes. SQLite cannot alter a constraint in place,
so batch mode rebuilds the table with the new one; PostgreSQL drops and adds it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_WITH_SKIPPED = "status IN ('in_progress', 'solved', 'gave_up', 'skipped')"
_WITHOUT_SKIPPED = "status IN ('in_progress', 'solved', 'gave_up')"


def upgrade() -> None:
    _status_check(_WITH_SKIPPED)


def downgrade() -> None:
    # The old schema has no skip: a skipped problem goes back to the nearest thing, given up (finished,
    # not solved), and its mastery event to the old vocabulary, so the old code can read them.
    op.execute(sa.text("UPDATE attempts SET status = 'gave_up' WHERE status = 'skipped'"))
    op.execute(sa.text(
        "UPDATE mastery_events SET evidence = 'problem_failed' WHERE evidence = 'problem_skipped'"
    ))
    _status_check(_WITHOUT_SKIPPED)


def _status_check(condition: str) -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_attempts_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_attempts_status'), condition)
