"""Reading what learners have done: a learner's progress, the history of a skill, a class gradebook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Attempt, Enrollment, HintRecord, MasteryEvent, Skill, SkillMastery, StepRecord, User
from app.services.classes import load_class
from app.services.errors import NotFound
from app.services.mastery import skill_state
from tutor import learner


@dataclass(frozen=True)
class SkillProgress:
    skill_id: str
    name: str
    p_mastery: float
    ability: float
    problems_finished: int
    mastered: bool
    next_level: int  # the difficulty the learner model would pick now
    solved_in_a_row: int = 0  # the latest problems solved unaided; mastery needs learner.MASTERY_RUN


@dataclass(frozen=True)
class Progress:
    user_id: int
    problems_started: int
    problems_solved: int
    steps: int
    hints: int
    skills: list[SkillProgress]  # only skills practised, easy to hard


@dataclass(frozen=True)
class MasteryPoint:
    at: datetime
    evidence: str
    hint_level: int | None
    p_mastery: float
    ability: float


@dataclass(frozen=True)
class GradebookRow:
    username: str
    display_name: str
    problems_started: int
    problems_solved: int
    steps: int
    hints: int
    solutions_revealed: int
    mastery: dict[str, float]
    problems_skipped: int = 0  # the learner moved on without solving them


@dataclass(frozen=True)
class Gradebook:
    skills: list[str]
    rows: list[GradebookRow]


def progress(db: Database, *, user_id: int) -> Progress:
    """Totals and the per-skill estimates of one learner."""
    with db.transaction() as session:
        if session.get(User, user_id) is None:
            raise NotFound(f"there is no user with id {user_id}")
        totals = _totals(session, [user_id]).get(user_id, _NO_TOTALS)
        query = (
            select(SkillMastery, Skill.name)
            .join(Skill, Skill.id == SkillMastery.skill_id)
            .where(SkillMastery.user_id == user_id)
            .order_by(Skill.position)
        )
        skills = []
        for row, name in session.execute(query):
            state = skill_state(row)
            skills.append(SkillProgress(
                row.skill_id, name, row.p_mastery, row.ability, row.problems_finished,
                learner.is_mastered(state), learner.choose_level(row.ability), row.solved_in_a_row,
            ))
        return Progress(user_id, totals[0], totals[1], totals[2], totals[3], skills)


def mastery_history(db: Database, *, user_id: int, skill_id: str) -> list[MasteryPoint]:
    """Every change to one learner's estimate of one skill, oldest first."""
    with db.transaction() as session:
        query = (
            select(MasteryEvent)
            .where(MasteryEvent.user_id == user_id, MasteryEvent.skill_id == skill_id)
            .order_by(MasteryEvent.id)
        )
        return [
            MasteryPoint(e.created_at, e.evidence, e.hint_level, e.p_mastery, e.ability)
            for e in session.scalars(query)
        ]


def class_gradebook(db: Database, *, class_id: int) -> Gradebook:
    """One row per enrolled student: totals and mastery of every skill anyone in the class practised."""
    with db.transaction() as session:
        load_class(session, class_id)
        students = list(session.scalars(
            select(User)
            .join(Enrollment, Enrollment.student_id == User.id)
            .where(Enrollment.class_id == class_id)
            .order_by(User.username)
        ))
        ids = [student.id for student in students]
        totals = _totals(session, ids)
        mastery: dict[int, dict[str, float]] = {i: {} for i in ids}
        positions: dict[str, int] = {}
        query = (
            select(SkillMastery.user_id, SkillMastery.skill_id, SkillMastery.p_mastery, Skill.position)
            .join(Skill, Skill.id == SkillMastery.skill_id)
            .where(SkillMastery.user_id.in_(ids))
        )
        for user_id, skill_id, p_mastery, position in session.execute(query):
            mastery[user_id][skill_id] = p_mastery
            positions[skill_id] = position
        rows = []
        for s in students:
            started, solved, steps, hints, revealed, skipped = totals.get(s.id, _NO_TOTALS)
            rows.append(GradebookRow(s.username, s.display_name, started, solved, steps, hints, revealed,
                                     mastery[s.id], problems_skipped=skipped))
        return Gradebook(sorted(positions, key=positions.__getitem__), rows)


_NO_TOTALS = (0, 0, 0, 0, 0, 0)


def _totals(session: Session, user_ids: list[int]) -> dict[int, tuple[int, int, int, int, int, int]]:
    """(problems started, solved, steps, hints, solutions revealed, skipped) per user."""
    attempts = select(
        Attempt.user_id,
        func.count(Attempt.id),
        func.count(Attempt.id).filter(Attempt.status == "solved"),
        func.count(Attempt.solution_revealed_at),
        func.count(Attempt.id).filter(Attempt.status == "skipped"),
    ).where(Attempt.user_id.in_(user_ids)).group_by(Attempt.user_id)
    steps = dict(session.execute(
        select(Attempt.user_id, func.count(StepRecord.id))
        .join(StepRecord, StepRecord.attempt_id == Attempt.id)
        .where(Attempt.user_id.in_(user_ids)).group_by(Attempt.user_id)
    ).all())
    hints = dict(session.execute(
        select(Attempt.user_id, func.count(HintRecord.id))
        .join(HintRecord, HintRecord.attempt_id == Attempt.id)
        .where(Attempt.user_id.in_(user_ids)).group_by(Attempt.user_id)
    ).all())
    return {
        user_id: (started, solved, steps.get(user_id, 0), hints.get(user_id, 0), revealed, skipped)
        for user_id, started, solved, revealed, skipped in session.execute(attempts)
    }
