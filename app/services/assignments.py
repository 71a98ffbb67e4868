"""Assignments: work a teacher sets for a class, and the list each side sees.

A teacher sets and lists work only for their own classes; a student sees the work of every class
they are enrolled in. Starting a session on an assignment (``tutoring.start_session``) checks the
enrollment itself, so no route can skip it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.db import Database
from app.models import Assignment, Enrollment, SchoolClass
from app.services.curriculum import sync_skill
from app.services.errors import InvalidInput
from app.services.web_queries import require_teaches
from tutor.problems import SKILLS

MAX_TITLE_CHARS = 200
MAX_ASSIGNMENT_PROBLEMS = 50


@dataclass(frozen=True)
class AssignmentInfo:
    id: int
    class_name: str
    title: str
    skill_id: str
    problem_count: int
    due_at: datetime | None


def create_assignment(
    db: Database,
    *,
    teacher_id: int,
    class_id: int,
    title: str,
    skill_id: str,
    difficulty: int | None,
    problem_count: int,
    due_at: datetime | None,
) -> AssignmentInfo:
    """Set work for one of the teacher's classes; ``difficulty=None`` lets the learner model choose."""
    title = title.strip()
    if not title or len(title) > MAX_TITLE_CHARS:
        raise InvalidInput(f"an assignment needs a title of 1 to {MAX_TITLE_CHARS} characters")
    if skill_id not in SKILLS:
        raise InvalidInput(f"there is no skill {skill_id!r}")
    if difficulty is not None and not 1 <= difficulty <= 5:
        raise InvalidInput(f"the level must be 1 to 5 (or left to the tutor), not {difficulty}")
    if not 1 <= problem_count <= MAX_ASSIGNMENT_PROBLEMS:
        raise InvalidInput(f"an assignment has 1 to {MAX_ASSIGNMENT_PROBLEMS} problems, not {problem_count}")
    with db.transaction() as session:
        school_class = require_teaches(session, teacher_id, class_id)
        sync_skill(session, skill_id)
        assignment = Assignment(
            class_id=class_id, title=title, skill_id=skill_id, difficulty=difficulty,
            problem_count=problem_count, due_at=due_at, created_by=teacher_id,
        )  # fmt: skip
        session.add(assignment)
        session.flush()
        return AssignmentInfo(assignment.id, school_class.name, title, skill_id, problem_count, due_at)


def class_assignments(db: Database, *, teacher_id: int, class_id: int) -> list[AssignmentInfo]:
    """A class's assignments, newest first."""
    query = (
        select(Assignment, SchoolClass.name)
        .join(SchoolClass, SchoolClass.id == Assignment.class_id)
        .where(Assignment.class_id == class_id)
        .order_by(Assignment.id.desc())
    )
    with db.transaction() as session:
        require_teaches(session, teacher_id, class_id)
        return [_info(a, name) for a, name in session.execute(query)]


def student_assignments(db: Database, *, student_id: int) -> list[AssignmentInfo]:
    """The assignments of every class the student is in, soonest due first (undated last)."""
    query = (
        select(Assignment, SchoolClass.name)
        .join(SchoolClass, SchoolClass.id == Assignment.class_id)
        .join(Enrollment, Enrollment.class_id == Assignment.class_id)
        .where(Enrollment.student_id == student_id)
        .order_by(Assignment.due_at.is_(None), Assignment.due_at, Assignment.id)
    )
    with db.transaction() as session:
        return [_info(a, name) for a, name in session.execute(query)]


def _info(assignment: Assignment, class_name: str) -> AssignmentInfo:
    return AssignmentInfo(assignment.id, class_name, assignment.title, assignment.skill_id,
                          assignment.problem_count, assignment.due_at)
