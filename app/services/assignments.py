"""Assignments: work a teacher sets for a class, and the list each side sees.

A teacher sets and lists work only for their own classes; a student sees the work of every class
they are enrolled in. Starting a session on an assignment (``tutoring.start_session``) checks the
enrollment itself, so no route can skip it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Assignment, AssignmentProblem, Enrollment, Problem, SchoolClass, User
from app.services.assignment_progress import progress_of
from app.services.classes import require_teaches
from app.services.curriculum import sync_skill
from app.services.errors import InvalidInput, NotFound
from tutor.assignment_progress import AssignmentProgress
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
    progress: AssignmentProgress | None = None  # the learner's, in a student's list
    problem_set: bool = False  # the teacher chose the problems


@dataclass(frozen=True)
class StudentResult:
    student_id: int
    username: str
    display_name: str
    progress: AssignmentProgress


@dataclass(frozen=True)
class AssignmentReport:
    """One assignment as its teacher sees it: who finished it, and each student's score."""

    assignment: AssignmentInfo
    students: list[StudentResult]

    @property
    def completed(self) -> int:
        return sum(result.progress.complete for result in self.students)

    @property
    def mean_score(self) -> float | None:
        return sum(r.progress.score for r in self.students) / len(self.students) if self.students else None


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
    title = _checked_title(title)
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


def create_problem_set(
    db: Database, *, teacher_id: int, class_id: int, title: str, problem_ids: list[int],
    due_at: datetime | None,
) -> AssignmentInfo:
    """Set the teacher's chosen problems, in order, as an assignment (each served once, in that order)."""
    title = _checked_title(title)
    if not 1 <= len(problem_ids) <= MAX_ASSIGNMENT_PROBLEMS:
        raise InvalidInput(f"a problem set has 1 to {MAX_ASSIGNMENT_PROBLEMS} problems, "
                           f"not {len(problem_ids)}")
    if len(set(problem_ids)) != len(problem_ids):
        raise InvalidInput("a problem set lists each problem once")
    with db.transaction() as session:
        school_class = require_teaches(session, teacher_id, class_id)
        problems = [_usable_problem(session, problem_id, teacher_id) for problem_id in problem_ids]
        assignment = Assignment(
            class_id=class_id, title=title, skill_id=problems[0].skill_id, difficulty=None,
            problem_count=len(problems), due_at=due_at, created_by=teacher_id,
        )  # fmt: skip
        session.add(assignment)
        session.flush()
        session.add_all(
            AssignmentProblem(assignment_id=assignment.id, position=position, problem_id=problem.id)
            for position, problem in enumerate(problems, start=1)
        )
        return _info(assignment, school_class.name, problem_set=True)


def _usable_problem(session: Session, problem_id: int, teacher_id: int) -> Problem:
    """A generated problem, or one written by this teacher (another teacher's are theirs to share)."""
    problem = session.get(Problem, problem_id)
    if problem is None or (problem.author_id is not None and problem.author_id != teacher_id):
        raise NotFound(f"there is no problem with id {problem_id} among yours")
    return problem


def _checked_title(title: str) -> str:
    title = title.strip()
    if not title or len(title) > MAX_TITLE_CHARS:
        raise InvalidInput(f"an assignment needs a title of 1 to {MAX_TITLE_CHARS} characters")
    return title


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
        chosen = _problem_sets(session)
        return [_info(a, name, problem_set=a.id in chosen) for a, name in session.execute(query)]


def class_report(db: Database, *, teacher_id: int, class_id: int) -> list[AssignmentReport]:
    """Every assignment of the teacher's class, newest first, with each student's progress and score."""
    with db.transaction() as session:
        return _reports(session, require_teaches(session, teacher_id, class_id))


def gradebook_report(db: Database, *, class_id: int) -> list[AssignmentReport]:
    """``class_report`` for the gradebook export, whose caller has checked who may read it; oldest first."""
    with db.transaction() as session:
        school_class = session.get(SchoolClass, class_id)
        if school_class is None:
            raise NotFound(f"there is no class with id {class_id}")
        return _reports(session, school_class)[::-1]


def _reports(session: Session, school_class: SchoolClass) -> list[AssignmentReport]:
    students = list(session.scalars(
        select(User)
        .join(Enrollment, Enrollment.student_id == User.id)
        .where(Enrollment.class_id == school_class.id)
        .order_by(User.username)
    ))
    chosen = _problem_sets(session)
    assignments = session.scalars(
        select(Assignment).where(Assignment.class_id == school_class.id).order_by(Assignment.id.desc())
    )
    reports = []
    for assignment in assignments:
        progress = progress_of(session, assignment, [s.id for s in students])
        results = [StudentResult(s.id, s.username, s.display_name, progress[s.id]) for s in students]
        info = _info(assignment, school_class.name, problem_set=assignment.id in chosen)
        reports.append(AssignmentReport(info, results))
    return reports


def student_assignments(db: Database, *, student_id: int) -> list[AssignmentInfo]:
    """The assignments of every class the student is in, with their progress: open ones first, each
    group soonest due first (undated last)."""
    query = (
        select(Assignment, SchoolClass.name)
        .join(SchoolClass, SchoolClass.id == Assignment.class_id)
        .join(Enrollment, Enrollment.class_id == Assignment.class_id)
        .where(Enrollment.student_id == student_id)
        .order_by(Assignment.due_at.is_(None), Assignment.due_at, Assignment.id)
    )
    with db.transaction() as session:
        chosen = _problem_sets(session)
        listed = [
            _info(a, name, progress=progress_of(session, a, [student_id])[student_id],
                  problem_set=a.id in chosen)
            for a, name in session.execute(query)
        ]
    return sorted(listed, key=lambda info: info.progress.complete)  # stable: keeps the due order


def _problem_sets(session: Session) -> set[int]:
    return set(session.scalars(select(AssignmentProblem.assignment_id).distinct()))


def _info(
    assignment: Assignment, class_name: str, *, progress: AssignmentProgress | None = None,
    problem_set: bool = False,
) -> AssignmentInfo:
    return AssignmentInfo(assignment.id, class_name, assignment.title, assignment.skill_id,
                          assignment.problem_count, assignment.due_at, progress, problem_set)
