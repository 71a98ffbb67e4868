"""Applying learner-model evidence to the stored estimates, inside the caller's transaction.

The row is locked while it is read and rewritten, so two pieces of evidence for the same learner
and skill arriving at once are applied one after the other, never on the same stale value.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import insert_if_absent
from app.models import MasteryEvent, SkillMastery
from app.models.base import utcnow
from tutor import learner


def learner_state(session: Session, user_id: int) -> learner.LearnerState:
    """Everything the learner model knows about ``user_id``."""
    rows = session.scalars(select(SkillMastery).where(SkillMastery.user_id == user_id))
    return learner.LearnerState({
        row.skill_id: learner.SkillState(row.p_mastery, row.ability, row.problems_finished) for row in rows
    })


def apply_evidence(
    session: Session,
    *,
    user_id: int,
    skill_id: str,
    difficulty: int,
    evidence: learner.Evidence,
    attempt_id: int | None,
) -> learner.SkillState:
    """Update the learner's estimate of ``skill_id`` and record the change in the history."""
    row = _locked_row(session, user_id, skill_id)
    current = learner.SkillState(row.p_mastery, row.ability, row.problems_finished)
    before = learner.LearnerState({skill_id: current})
    after = learner.update(before, skill_id, evidence, learner.difficulty_rating(difficulty)).get(skill_id)
    row.p_mastery, row.ability, row.problems_finished = after.p_mastery, after.ability, after.attempts
    row.updates += 1
    session.add(MasteryEvent(
        user_id=user_id, skill_id=skill_id, attempt_id=attempt_id, evidence=evidence.kind,
        hint_level=evidence.hint_level, p_mastery=after.p_mastery, ability=after.ability,
    ))
    return after


def _locked_row(session: Session, user_id: int, skill_id: str) -> SkillMastery:
    # Insert the prior if the row is missing (a no-op if someone else just did), then lock it.
    insert_if_absent(
        session, SkillMastery, user_id=user_id, skill_id=skill_id,
        p_mastery=learner.params_for(skill_id).p_init, ability=learner.INITIAL_ABILITY,
        problems_finished=0, updates=0, updated_at=utcnow(),
    )
    query = (
        select(SkillMastery)
        .where(SkillMastery.user_id == user_id, SkillMastery.skill_id == skill_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).one()
