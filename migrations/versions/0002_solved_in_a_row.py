"""Skill mastery counts the latest problems solved unaided in a row, which mastery now requires.

Existing rows are filled in from the mastery history, so a learner who already has such a run keeps
it: a problem counts when it ended solved and none of its evidence was a hint or a wrong step.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_events = sa.table(
    'mastery_events',
    sa.column('id', sa.Integer), sa.column('user_id', sa.Integer), sa.column('skill_id', sa.String),
    sa.column('attempt_id', sa.Integer), sa.column('evidence', sa.String),
)
_mastery = sa.table(
    'skill_mastery',
    sa.column('user_id', sa.Integer), sa.column('skill_id', sa.String),
    sa.column('problems_finished', sa.Integer), sa.column('solved_in_a_row', sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table('skill_mastery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('solved_in_a_row', sa.Integer(), nullable=False, server_default='0'))
    connection = op.get_bind()
    runs = _runs(connection)
    rows = connection.execute(sa.select(_mastery.c.user_id, _mastery.c.skill_id, _mastery.c.problems_finished))
    for user_id, skill_id, finished in rows.all():
        run = min(runs.get((user_id, skill_id), 0), finished)  # a run cannot outnumber the problems finished
        if run:
            connection.execute(
                _mastery.update()
                .where(_mastery.c.user_id == user_id, _mastery.c.skill_id == skill_id)
                .values(solved_in_a_row=run)
            )


def downgrade() -> None:
    with op.batch_alter_table('skill_mastery', schema=None) as batch_op:
        batch_op.drop_column('solved_in_a_row')


def _runs(connection: sa.Connection) -> dict[tuple[int, str], int]:
    """Replay the history, oldest first: the run per (user, skill) as ``tutor.learner.update`` keeps it."""
    runs: dict[tuple[int, str], int] = {}
    helped: set[int] = set()  # attempts with a hint or a wrong step
    query = sa.select(_events.c.user_id, _events.c.skill_id, _events.c.attempt_id, _events.c.evidence)
    for user_id, skill_id, attempt_id, evidence in connection.execute(query.order_by(_events.c.id)):
        key = (user_id, skill_id)
        if evidence in ('hint', 'step_wrong'):
            helped.add(attempt_id)
        elif evidence == 'problem_solved':
            runs[key] = 0 if attempt_id in helped else runs.get(key, 0) + 1
        elif evidence == 'problem_failed':
            runs[key] = 0
    return runs
