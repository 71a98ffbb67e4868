"""Queries behind the dashboards, with the ownership rules the web layer must apply.

Teachers see only their own classes and the students enrolled in them; students see only their own
attempts. Every function here checks that itself, so a route cannot forget to. All are read-only;
assignments (the one thing the dashboard writes) have their own service, ``app.services.assignments``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import (
    AssessmentJob,
    Attempt,
    Enrollment,
    HintRecord,
    MasteryEvent,
    Problem,
    SchoolClass,
    StepRecord,
    User,
)
from app.services.classes import ClassInfo, class_info, require_teaches
from app.services.errors import NotFound, PermissionDenied
from app.services.tutoring import tutor_problem
from tutor.diagnose import MISCONCEPTIONS
from tutor.problems import Problem as TutorProblem
from tutor.verdicts import StepStatus


@dataclass(frozen=True)
class AttemptSummary:
    id: int
    username: str
    skill_id: str
    difficulty: int
    prompt: str
    status: str
    steps: int
    hints: int
    started_at: datetime
    solution_shown: bool = False  # the learner asked to see the worked solution


@dataclass(frozen=True)
class StepLine:
    position: int
    text: str
    verdict: StepStatus
    message: str
    accepted: bool
    is_final_answer: bool


@dataclass(frozen=True)
class AttemptDetail:
    summary: AttemptSummary
    latex: str
    steps: list[StepLine]
    hints: list[str]


@dataclass(frozen=True)
class ErrorPattern:
    """A kind of wrong step in a class: one misconception (whatever the numbers), or one message."""

    skill_id: str
    verdict: StepStatus
    message: str
    count: int
    example: str
    misconception: str | None = None


@dataclass(frozen=True)
class TimelinePoint:
    at: datetime
    username: str
    skill_id: str
    p_mastery: float


def teacher_classes(db: Database, *, teacher_id: int) -> list[ClassInfo]:
    """The classes this teacher owns, by name."""
    query = select(SchoolClass).where(SchoolClass.teacher_id == teacher_id).order_by(SchoolClass.name)
    with db.transaction() as session:
        return [class_info(c) for c in session.scalars(query)]


def check_teaches(db: Database, *, teacher_id: int, class_id: int) -> None:
    """``PermissionDenied`` unless ``class_id`` is one of this teacher's classes."""
    with db.transaction() as session:
        require_teaches(session, teacher_id, class_id)


def check_can_see_student(db: Database, *, viewer: int, student_id: int) -> None:
    """A student may see themself; a teacher any student enrolled in one of their classes."""
    with db.transaction() as session:
        _check_can_see_student(session, viewer, student_id)


def class_attempts(db: Database, *, teacher_id: int, class_id: int, limit: int = 100) -> list[AttemptSummary]:
    """The class's most recent attempts, newest first."""
    with db.transaction() as session:
        require_teaches(session, teacher_id, class_id)
        students = select(Enrollment.student_id).where(Enrollment.class_id == class_id)
        query = _summaries().where(Attempt.user_id.in_(students)).order_by(Attempt.id.desc()).limit(limit)
        return [_summary(row) for row in session.execute(query)]


def learner_attempts(db: Database, *, viewer: int, student_id: int, limit: int = 20) -> list[AttemptSummary]:
    """One learner's most recent attempts, newest first."""
    with db.transaction() as session:
        _check_can_see_student(session, viewer, student_id)
        query = _summaries().where(Attempt.user_id == student_id).order_by(Attempt.id.desc()).limit(limit)
        return [_summary(row) for row in session.execute(query)]


def attempt_detail(db: Database, *, viewer: int, attempt_id: int) -> AttemptDetail:
    """An attempt step by step, with the verifier's verdicts and the hints given."""
    with db.transaction() as session:
        row = session.execute(_summaries().where(Attempt.id == attempt_id)).first()
        if row is None:
            raise NotFound(f"there is no attempt with id {attempt_id}")
        _check_can_see_student(session, viewer, row.Attempt.user_id)
        steps = session.scalars(
            select(StepRecord).where(StepRecord.attempt_id == attempt_id).order_by(StepRecord.position)
        )
        hints = session.scalars(
            select(HintRecord.text).where(HintRecord.attempt_id == attempt_id).order_by(HintRecord.position)
        )
        lines = [
            StepLine(s.position, s.text, StepStatus(s.verdict), s.message, s.accepted, s.is_final_answer)
            for s in steps
        ]
        return AttemptDetail(_summary(row), row.Problem.latex, lines, list(hints))


def attempt_problem(db: Database, *, user_id: int, attempt_id: int) -> tuple[TutorProblem, str]:
    """The learner's own attempt as the tutor domain sees it: (problem, current state), for the model."""
    with db.transaction() as session:
        attempt = session.get(Attempt, attempt_id)
        if attempt is None or attempt.user_id != user_id:
            raise NotFound(f"you have no attempt with id {attempt_id}")
        return tutor_problem(session.get_one(Problem, attempt.problem_id)), attempt.current_state


def common_errors(db: Database, *, teacher_id: int, class_id: int, per_skill: int = 3) -> list[ErrorPattern]:
    """The most frequent kinds of rejected step per skill in a class, each with one example step.

    Steps with a diagnosed misconception are grouped by it (``2x = 4 → x = -2`` and ``3x = 9 → x = -3`` are
    one division slip); the others by their message.
    """
    kind = func.coalesce(StepRecord.misconception, StepRecord.message)
    with db.transaction() as session:
        require_teaches(session, teacher_id, class_id)
        students = select(Enrollment.student_id).where(Enrollment.class_id == class_id)
        query = (
            select(Problem.skill_id, StepRecord.verdict, kind)
            .add_columns(func.count(), func.min(StepRecord.text), func.min(StepRecord.misconception))
            .join(Attempt, Attempt.id == StepRecord.attempt_id)
            .join(Problem, Problem.id == Attempt.problem_id)
            .where(Attempt.user_id.in_(students), StepRecord.accepted.is_(False))
            .group_by(Problem.skill_id, StepRecord.verdict, kind)
            .order_by(Problem.skill_id, func.count().desc(), kind)
        )
        patterns: list[ErrorPattern] = []
        for skill_id, verdict, message, count, example, misconception in session.execute(query):
            if misconception is not None:
                message = MISCONCEPTIONS.get(misconception, misconception)
            if sum(p.skill_id == skill_id for p in patterns) < per_skill:
                patterns.append(
                    ErrorPattern(skill_id, StepStatus(verdict), message, count, example, misconception)
                )
        return patterns


def class_timeline(db: Database, *, teacher_id: int, class_id: int) -> list[TimelinePoint]:
    """Every mastery change of the class's students, oldest first (for the timeline plot)."""
    with db.transaction() as session:
        require_teaches(session, teacher_id, class_id)
        students = select(Enrollment.student_id).where(Enrollment.class_id == class_id)
        query = (
            select(MasteryEvent.created_at, User.username, MasteryEvent.skill_id, MasteryEvent.p_mastery)
            .join(User, User.id == MasteryEvent.user_id)
            .where(MasteryEvent.user_id.in_(students))
            .order_by(MasteryEvent.id)
        )
        return [TimelinePoint(*row) for row in session.execute(query)]


def recent_jobs(db: Database, *, limit: int = 20) -> list[tuple[int, str]]:
    """(id, name) of the newest assessment jobs, newest first (for the admin page)."""
    query = select(AssessmentJob.id, AssessmentJob.name).order_by(AssessmentJob.id.desc()).limit(limit)
    with db.transaction() as session:
        return [(job_id, name) for job_id, name in session.execute(query)]


def job_counts(db: Database) -> dict[str, int]:
    """How many assessment jobs are in each status (the batch queue at a glance)."""
    query = select(AssessmentJob.status, func.count()).group_by(AssessmentJob.status)
    with db.transaction() as session:
        return {status: count for status, count in session.execute(query)}


def _summaries() -> Select[tuple[Attempt, Problem, str]]:
    return (
        select(Attempt, Problem, User.username)
        .join(Problem, Problem.id == Attempt.problem_id)
        .join(User, User.id == Attempt.user_id)
    )


def _summary(row: Row[tuple[Attempt, Problem, str]]) -> AttemptSummary:
    attempt, problem, username = row
    return AttemptSummary(
        attempt.id,
        username,
        problem.skill_id,
        problem.difficulty,
        problem.prompt,
        attempt.status,
        attempt.step_count,
        attempt.hint_count,
        attempt.created_at,
        attempt.solution_revealed_at is not None,
    )


def teaches_student(session: Session, teacher_id: int, student_id: int) -> bool:
    """Whether the student is enrolled in one of this teacher's classes."""
    shared = (
        select(Enrollment.class_id)
        .join(SchoolClass, SchoolClass.id == Enrollment.class_id)
        .where(Enrollment.student_id == student_id, SchoolClass.teacher_id == teacher_id)
        .limit(1)
    )
    return session.scalar(shared) is not None


def _check_can_see_student(session: Session, viewer: int, student_id: int) -> None:
    if viewer == student_id:
        return
    if not teaches_student(session, viewer, student_id):
        raise PermissionDenied("you can only see your own work, or that of students in your classes")
