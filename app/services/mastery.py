"""Applying learner-model evidence to the stored estimates, inside the caller's transaction.

The row is locked while it is read and rewritten, so two pieces of evidence for the same learner
and skill arriving at once are applied one after the other, never on the same stale value. The
evidence already recorded for the same attempt goes with each new piece, because the learner model
caps what one problem can show (``tutor.learner.problem_weights``).
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
    return learner.LearnerState({row.skill_id: skill_state(row) for row in rows})


def skill_state(row: SkillMastery) -> learner.SkillState:
    """The learner model's view of a stored estimate."""
    return learner.SkillState(row.p_mastery, row.ability, row.problems_finished, row.solved_in_a_row)


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
    before = learner.LearnerState({skill_id: skill_state(row)})
    earlier = _attempt_evidence(session, user_id, skill_id, attempt_id)
    rating = learner.difficulty_rating(difficulty)
    after = learner.update(before, skill_id, evidence, rating, earlier=earlier).get(skill_id)
    row.p_mastery, row.ability, row.problems_finished = after.p_mastery, after.ability, after.attempts
    row.solved_in_a_row = after.solved_in_a_row
    row.updates += 1
    session.add(MasteryEvent(
        user_id=user_id, skill_id=skill_id, attempt_id=attempt_id, evidence=evidence.kind,
        hint_level=evidence.hint_level, p_mastery=after.p_mastery, ability=after.ability,
    ))
    return after


def _attempt_evidence(
    session: Session, user_id: int, skill_id: str, attempt_id: int | None
) -> list[learner.Evidence]:
    """What this attempt has already shown about the skill, oldest first."""
    if attempt_id is None:
        return []
    query = (
        select(MasteryEvent.evidence, MasteryEvent.hint_level)
        .where(MasteryEvent.user_id == user_id, MasteryEvent.skill_id == skill_id,
               MasteryEvent.attempt_id == attempt_id)
        .order_by(MasteryEvent.id)
    )
    return [learner.Evidence(kind, hint_level) for kind, hint_level in session.execute(query)]


def _locked_row(session: Session, user_id: int, skill_id: str) -> SkillMastery:
    # Insert the prior if the row is missing (a no-op if someone else just did), then lock it.
    insert_if_absent(
        session, SkillMastery, user_id=user_id, skill_id=skill_id,
        p_mastery=learner.params_for(skill_id).p_init, ability=learner.INITIAL_ABILITY,
        problems_finished=0, solved_in_a_row=0, updates=0, updated_at=utcnow(),
    )
    query = (
        select(SkillMastery)
        .where(SkillMastery.user_id == user_id, SkillMastery.skill_id == skill_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).one()
