"""Where learners stand on assignments: problems finished and solved, counted from their attempts.

Every attempt made in a tutoring session started for an assignment counts towards it, whichever
session it was made in, so starting over never resets the counter or serves a problem again.
"""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import Assignment, AssignmentProblem, Attempt, TutoringSession
from tutor.assignment_progress import AssignmentProgress


def progress_of(
    session: Session, assignment: Assignment, user_ids: list[int]
) -> dict[int, AssignmentProgress]:
    """Each learner's progress on the assignment (learners who never started it have 0 finished)."""
    finished = Attempt.status != "in_progress"
    query = (
        select(
            Attempt.user_id,
            func.count(case((finished, 1))),
            func.count(case((Attempt.status == "solved", 1))),
        )
        .join(TutoringSession, TutoringSession.id == Attempt.session_id)
        .where(TutoringSession.assignment_id == assignment.id, Attempt.user_id.in_(user_ids))
        .group_by(Attempt.user_id)
    )
    counts = {user_id: (done, solved) for user_id, done, solved in session.execute(query)}
    return {
        user_id: AssignmentProgress(assignment.problem_count, *counts.get(user_id, (0, 0)))
        for user_id in user_ids
    }


def assignment_attempts(session: Session, assignment_id: int, user_id: int) -> list[Attempt]:
    """The learner's attempts on the assignment, oldest first."""
    query = (
        select(Attempt)
        .join(TutoringSession, TutoringSession.id == Attempt.session_id)
        .where(TutoringSession.assignment_id == assignment_id, Attempt.user_id == user_id)
        .order_by(Attempt.id)
    )
    return list(session.scalars(query))


def problem_set(session: Session, assignment_id: int) -> list[int]:
    """The problem ids of a problem-set assignment in order; empty for a skill-and-count assignment."""
    query = (
        select(AssignmentProblem.problem_id)
        .where(AssignmentProblem.assignment_id == assignment_id)
        .order_by(AssignmentProblem.position)
    )
    return list(session.scalars(query))
