"""Tutoring: sessions, attempts at problems, and steps checked, stored and learned from.

Checking a step can take a while (it runs SymPy under a CPU budget), so it happens outside the write
transaction: the attempt is read, the step checked once (``tutor.outcome.step_outcome`` in a checking
process), and then, with the attempt row locked, the step is stored only if no other step landed in
between (otherwise it is checked again against the new state). A check that could not finish stores
nothing: the learner is asked to try again. A retried request with the same ``client_request_id``
returns the stored result and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import Database
from app.models import (
    Assignment,
    Attempt,
    Enrollment,
    Problem,
    SchoolClass,
    StepRecord,
    TutoringSession,
    User,
)
from app.models.base import utcnow
from app.services.checks import checked
from app.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.services.mastery import apply_evidence
from tutor import learner
from tutor.conventions import DEFAULT, Conventions
from tutor.outcome import Outcome, step_outcome
from tutor.problems.problem import Problem as TutorProblem
from tutor.verdicts import StepStatus

MAX_STEP_LENGTH = 1000
MAX_STEP_MILLISECONDS = 24 * 3600 * 1000
_ATTEMPTS_AT_STORING = 3


@dataclass(frozen=True)
class SessionInfo:
    id: int
    user_id: int
    assignment_id: int | None


@dataclass(frozen=True)
class ProblemView:
    """What the learner sees of the problem they are working on."""

    attempt_id: int
    problem_id: int
    skill_id: str
    difficulty: int
    kind: str
    prompt: str
    latex: str
    current_state: str  # the start, or the last accepted step
    status: str  # in_progress, solved, gave_up or skipped
    steps_taken: int
    hints_used: int
    start: str = ""  # the problem's starting line as written (the prompt usually ends with it)


@dataclass(frozen=True)
class StepResult:
    step_id: int
    attempt_id: int
    position: int
    text: str
    verdict: StepStatus
    message: str
    accepted: bool  # the step is now the current state
    solved: bool  # ... and it is the correct final answer
    duplicate: bool  # a retry of a step already stored; nothing changed


@dataclass(frozen=True)
class AttemptSummary:
    attempt_id: int
    status: str
    steps_taken: int
    hints_used: int
    solution_revealed: bool


def start_session(db: Database, *, user_id: int, assignment_id: int | None = None) -> SessionInfo:
    """Start practising: adaptive, or on an assignment set for one of the learner's classes."""
    with db.transaction() as session:
        if session.get(User, user_id) is None:
            raise NotFound(f"there is no user with id {user_id}")
        if assignment_id is not None:
            assignment = session.get(Assignment, assignment_id)
            if assignment is None:
                raise NotFound(f"there is no assignment with id {assignment_id}")
            if session.get(Enrollment, (assignment.class_id, user_id)) is None:
                raise PermissionDenied("this assignment is not set for any of your classes")
        tutoring = TutoringSession(user_id=user_id, assignment_id=assignment_id)
        session.add(tutoring)
        session.flush()
        return SessionInfo(tutoring.id, user_id, assignment_id)


def end_session(db: Database, *, session_id: int, user_id: int) -> None:
    with db.transaction() as session:
        tutoring = load_session(session, session_id, user_id)
        tutoring.ended_at = tutoring.ended_at or utcnow()


def start_problem(db: Database, *, session_id: int, user_id: int, problem_id: int) -> ProblemView:
    """Begin (or return the open) attempt at a given stored problem, e.g. one a teacher wrote."""
    with db.transaction() as session:
        tutoring = load_session(session, session_id, user_id, lock=True)
        problem = session.get(Problem, problem_id)
        if problem is None:
            raise NotFound(f"there is no problem with id {problem_id}")
        return open_attempt(session, tutoring, problem)


def current_problem(db: Database, *, attempt_id: int, user_id: int) -> ProblemView:
    with db.transaction() as session:
        attempt = load_attempt(session, attempt_id, user_id)
        return problem_view(attempt, session.get_one(Problem, attempt.problem_id))


def submit_step(
    db: Database, *, attempt_id: int, user_id: int, text: str, client_request_id: str, time_taken_ms: int
) -> StepResult:
    """Check a learner's step, store it, and update their mastery, all or nothing; raises TryAgain
    (nothing stored) when the check could not finish."""
    text = text.strip()
    _check_step_input(text, client_request_id, time_taken_ms)
    for _ in range(_ATTEMPTS_AT_STORING):
        with db.transaction() as session:
            attempt = load_attempt(session, attempt_id, user_id)
            stored = _stored_step(session, attempt_id, client_request_id)
            if stored is not None:
                return stored
            if attempt.status != "in_progress":
                raise Conflict("this problem is already finished; ask for the next one")
            seen_steps, earlier = attempt.step_count, accepted_lines(session, attempt)
            reading = course_conventions(session, attempt)
            problem = tutor_problem(session.get_one(Problem, attempt.problem_id), reading)
        outcome = checked(step_outcome, problem, earlier, text, user_id=user_id)
        try:
            with db.transaction() as session:
                attempt = load_attempt(session, attempt_id, user_id, lock=True)
                stored = _stored_step(session, attempt_id, client_request_id)
                if stored is not None:
                    return stored
                if attempt.status != "in_progress":
                    raise Conflict("this problem is already finished; ask for the next one")
                if attempt.step_count != seen_steps:
                    continue  # another step landed first: check against the new state
                return _store_step(session, attempt, text, client_request_id, time_taken_ms, outcome)
        except IntegrityError:
            # The unique (attempt, client request id) caught a twin that slipped past the lock.
            with db.transaction() as session:
                stored = _stored_step(session, attempt_id, client_request_id)
            if stored is None:
                raise
            return stored
    raise Conflict("too many steps were sent for this problem at once; please send yours again")


def finish_problem(db: Database, *, attempt_id: int, user_id: int) -> AttemptSummary:
    """Give up on a problem (counted as not solved). Finishing a finished problem changes nothing."""
    with db.transaction() as session:
        attempt = load_attempt(session, attempt_id, user_id, lock=True)
        if attempt.status == "in_progress":
            end_attempt(session, attempt, solved=False)
        return _attempt_summary(attempt)


def skip_problem(db: Database, *, attempt_id: int, user_id: int) -> AttemptSummary:
    """Skip the learner's own unfinished problem, so that the next one can come: it ends "skipped".

    A skipped problem counts as not solved, and as finished: an assignment moves on to its next problem
    and never serves this one again (``curriculum.next_problem``), and its score counts it unsolved.
    The learner model takes a skip as ``problem_skipped`` evidence (``tutor.learner``): the problem ends
    and the run of unaided solves is broken, but unlike giving up it counts as no failure (the steps
    and hints given so far have already counted). Skipping a skipped problem again changes nothing (a
    retried click); a problem already solved or given up cannot be skipped (``Conflict``).
    """
    with db.transaction() as session:
        attempt = load_attempt(session, attempt_id, user_id, lock=True)
        if attempt.status == "in_progress":
            end_attempt(session, attempt, solved=False, skipped=True)
        elif attempt.status != "skipped":
            raise Conflict("this problem is already finished, so there is nothing to skip")
        return _attempt_summary(attempt)


def _attempt_summary(attempt: Attempt) -> AttemptSummary:
    return AttemptSummary(
        attempt.id, attempt.status, attempt.step_count, attempt.hint_count,
        attempt.solution_revealed_at is not None,
    )


def load_session(session: Session, session_id: int, user_id: int, *, lock: bool = False) -> TutoringSession:
    query = select(TutoringSession).where(TutoringSession.id == session_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    tutoring = session.scalar(query)
    if tutoring is None:
        raise NotFound(f"there is no tutoring session with id {session_id}")
    if tutoring.user_id != user_id:
        raise PermissionDenied("this tutoring session belongs to someone else")
    if tutoring.ended_at is not None:
        raise Conflict("this tutoring session has ended; start a new one")
    return tutoring


def load_attempt(session: Session, attempt_id: int, user_id: int, *, lock: bool = False) -> Attempt:
    query = select(Attempt).where(Attempt.id == attempt_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    attempt = session.scalar(query)
    if attempt is None:
        raise NotFound(f"there is no attempt with id {attempt_id}")
    if attempt.user_id != user_id:
        raise PermissionDenied("this problem belongs to someone else")
    return attempt


def open_attempt(session: Session, tutoring: TutoringSession, problem: Problem) -> ProblemView:
    """The session's unfinished attempt if there is one (a reload must not skip a problem), else a new one."""
    attempt = session.scalar(
        select(Attempt).where(Attempt.session_id == tutoring.id, Attempt.status == "in_progress")
    )
    if attempt is None:
        attempt = Attempt(session_id=tutoring.id, user_id=tutoring.user_id, problem_id=problem.id,
                          current_state=problem.start, status="in_progress", step_count=0, hint_count=0)
        session.add(attempt)
        session.flush()
    else:
        problem = session.get_one(Problem, attempt.problem_id)
    return problem_view(attempt, problem)


def end_attempt(session: Session, attempt: Attempt, *, solved: bool, skipped: bool = False) -> None:
    """Close the attempt and give the learner model its end-of-problem evidence."""
    if solved and skipped:
        raise ValueError("a problem is solved or skipped, not both")
    attempt.status = "solved" if solved else "skipped" if skipped else "gave_up"
    attempt.finished_at = utcnow()
    problem = session.get_one(Problem, attempt.problem_id)
    kind = "problem_solved" if solved else "problem_skipped" if skipped else "problem_failed"
    apply_evidence(session, user_id=attempt.user_id, skill_id=problem.skill_id, difficulty=problem.difficulty,
                   evidence=learner.Evidence(kind), attempt_id=attempt.id)


def problem_view(attempt: Attempt, problem: Problem) -> ProblemView:
    return ProblemView(
        attempt.id, problem.id, problem.skill_id, problem.difficulty, problem.kind, problem.prompt,
        problem.latex, attempt.current_state, attempt.status, attempt.step_count, attempt.hint_count,
        problem.start,
    )


def _check_step_input(text: str, client_request_id: str, time_taken_ms: int) -> None:
    if not text:
        raise InvalidInput("the step is empty; write the next line of your working")
    if len(text) > MAX_STEP_LENGTH:
        raise InvalidInput(f"a step can have at most {MAX_STEP_LENGTH} characters")
    if not 1 <= len(client_request_id) <= 64:
        raise InvalidInput("client_request_id must be 1-64 characters")
    if isinstance(time_taken_ms, bool) or not isinstance(time_taken_ms, int):
        raise InvalidInput(f"time_taken_ms must be a whole number of milliseconds, not {time_taken_ms!r}")
    if not 0 <= time_taken_ms <= MAX_STEP_MILLISECONDS:
        raise InvalidInput("time_taken_ms must be between 0 and 24 hours")


def tutor_problem(problem: Problem, conventions: Conventions = DEFAULT) -> TutorProblem:
    """The domain's view of a stored problem (authored problems have no seed; 0 stands in), read with the
    learner's course ``conventions``."""
    return TutorProblem(problem.skill_id, problem.difficulty, problem.seed or 0, problem.kind, problem.prompt,
                        problem.latex, problem.start, problem.answer, problem.form, conventions)


def course_conventions(session: Session, attempt: Attempt) -> Conventions:
    """How the attempt's math is read: the conventions of the class whose assignment it belongs to, else
    of the class the learner joined last, else the defaults (a bare log is base 10)."""
    tutoring = session.get_one(TutoringSession, attempt.session_id)
    if tutoring.assignment_id is not None:
        class_id = session.get_one(Assignment, tutoring.assignment_id).class_id
    else:
        newest = (
            select(Enrollment.class_id)
            .where(Enrollment.student_id == attempt.user_id)
            .order_by(Enrollment.created_at.desc(), Enrollment.class_id.desc())
            .limit(1)
        )
        class_id = session.scalar(newest)
    if class_id is None:
        return DEFAULT
    return Conventions(log_base=session.get_one(SchoolClass, class_id).log_base)


def accepted_lines(session: Session, attempt: Attempt) -> tuple[str, ...]:
    """The problem's start and every accepted line since, in order: the last is the current state."""
    problem = session.get_one(Problem, attempt.problem_id)
    texts = session.scalars(
        select(StepRecord.text).where(StepRecord.attempt_id == attempt.id, StepRecord.accepted)
        .order_by(StepRecord.position)
    )
    lines = (problem.start, *texts)
    return lines if lines[-1] == attempt.current_state else (*lines, attempt.current_state)


def _store_step(
    session: Session, attempt: Attempt, text: str, client_request_id: str, time_taken_ms: int,
    outcome: Outcome,
) -> StepResult:
    solved = outcome.accepted and outcome.solved
    attempt.step_count += 1
    step = StepRecord(
        attempt_id=attempt.id, position=attempt.step_count, client_request_id=client_request_id, text=text,
        verdict=outcome.status, message=outcome.message, accepted=outcome.accepted, is_final_answer=solved,
        time_taken_ms=time_taken_ms, hints_used=attempt.hint_count, misconception=outcome.misconception,
    )
    session.add(step)
    if outcome.accepted:
        attempt.current_state = text
    if outcome.evidence is not None:  # only real progress and real mistakes say something about the skill
        problem = session.get_one(Problem, attempt.problem_id)
        apply_evidence(session, user_id=attempt.user_id, skill_id=problem.skill_id,
                       difficulty=problem.difficulty, evidence=learner.Evidence(outcome.evidence),
                       attempt_id=attempt.id)
    if solved:
        end_attempt(session, attempt, solved=True)
    session.flush()
    return _step_result(step, duplicate=False)


def _stored_step(session: Session, attempt_id: int, client_request_id: str) -> StepResult | None:
    step = session.scalar(
        select(StepRecord).where(StepRecord.attempt_id == attempt_id,
                                 StepRecord.client_request_id == client_request_id)
    )
    return None if step is None else _step_result(step, duplicate=True)


def _step_result(step: StepRecord, *, duplicate: bool) -> StepResult:
    return StepResult(step.id, step.attempt_id, step.position, step.text, StepStatus(step.verdict),
                      step.message, step.accepted, step.is_final_answer, duplicate)
