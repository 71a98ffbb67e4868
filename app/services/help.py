"""Help on a problem: escalating hints, and the full worked solution once the learner has tried.

Each hint request climbs the ladder (nudge, specific hint, the next step itself) and stays on the
last rung after that. Hints are evidence of not yet knowing the skill. A hint the learner has already
been given on this attempt (the last rung asked again at the same line) is shown again but neither
stored nor counted: clicking does not make a learner know less. Revealing the solution ends the attempt
as not solved, and is recorded so the teacher sees it.

A problem the step-wise solver cannot work (a teacher's, or one with no start) has no ladder. There,
where a model is configured, a hint is the model's: shown only when its math checks out and it does
not give the answer away (``TutorModel.hint_beyond_solver``), and counted like a specific hint. Without
a model the learner is told plainly that there are no step hints for the problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Attempt, HintRecord, Problem
from app.models.base import utcnow
from app.services.checks import checked
from app.services.errors import Conflict
from app.services.mastery import apply_evidence
from app.services.tutor_model import TutorModel
from app.services.tutoring import end_attempt, load_attempt, tutor_problem
from tutor import hints, learner
from tutor.solver import StateError, solve
from tutor.workability import NO_STEP_HINTS, solver_can_start

TOP_LEVEL = hints.LAST_LEVEL
MODEL_LEVEL = 2  # a model's hint counts as a specific hint: it never gives the step itself
FINISHED = "this problem is already finished; hints are for problems in progress"


@dataclass(frozen=True)
class HintView:
    attempt_id: int
    level: int  # 1 nudge, 2 specific, 3 the next step
    kind: str
    text: str
    last: bool  # the top rung: asking again at this line only repeats it
    repeated: bool  # given before on this attempt, so not stored or counted again
    source: str = "solver"  # or "model": a hint for a problem beyond the solver, its math checked


@dataclass(frozen=True)
class SolutionStep:
    before: str
    after: str
    rule: str
    explanation: str


@dataclass(frozen=True)
class SolutionView:
    attempt_id: int
    steps: list[SolutionStep]


def request_hint(
    db: Database, *, attempt_id: int, user_id: int, tutor: TutorModel | None = None,
    before_model: Callable[[], None] | None = None,
) -> HintView:
    """The next hint for where the learner is now, stored with the attempt.

    For a problem the solver cannot work the hint is ``tutor``'s model's; ``before_model`` is called
    just before the model is asked (a rate limit that may refuse). Refusals are ``Conflict``s in words.
    """
    with db.transaction() as session:
        attempt = _attempt_in_progress(session, attempt_id, user_id)
        problem = session.get_one(Problem, attempt.problem_id)
        tutored, current = tutor_problem(problem), attempt.current_state
        if tutored.start.strip():  # with no start, the solver would work the learner's line, not the problem
            level = min(attempt.hint_count + 1, TOP_LEVEL)
            try:
                hint = checked(hints.hint_for, tutored, current, level, user_id=user_id)
            except StateError as error:  # a valid line the solver has no move for, e.g. after squaring
                if checked(solver_can_start, tutored, user_id=user_id):
                    raise Conflict(
                        f"I can't work out a hint from your current line ({error}); go back to an earlier "
                        "form of the problem or ask your teacher."
                    ) from error
            else:
                return _give(session, attempt, problem, hint.level, hint.kind, hint.text, hint.last, "solver")
    # Beyond the solver: the model's hint, asked outside the transaction (a learner's row stays unlocked
    # while it writes).
    if tutor is None or not tutor.available:
        raise Conflict(NO_STEP_HINTS)
    if before_model is not None:
        before_model()
    reply = tutor.hint_beyond_solver(tutored, current)
    if reply.source != "model":
        raise Conflict(reply.text)
    with db.transaction() as session:
        attempt = _attempt_in_progress(session, attempt_id, user_id)
        problem = session.get_one(Problem, attempt.problem_id)
        level = min(attempt.hint_count + 1, MODEL_LEVEL)
        return _give(session, attempt, problem, level, "model", reply.text, False, "model")


def _attempt_in_progress(session: Session, attempt_id: int, user_id: int) -> Attempt:
    attempt = load_attempt(session, attempt_id, user_id, lock=True)
    if attempt.status != "in_progress":
        raise Conflict(FINISHED)
    return attempt


def _give(
    session: Session, attempt: Attempt, problem: Problem, level: int, kind: str, text: str, last: bool,
    source: str,
) -> HintView:
    """Store the hint and its evidence, unless it was given before on this attempt (then only show it)."""
    given = session.scalar(select(HintRecord.id).where(
        HintRecord.attempt_id == attempt.id, HintRecord.level == level, HintRecord.text == text
    ).limit(1))
    if given is not None:
        return HintView(attempt.id, level, kind, text, last, repeated=True, source=source)
    attempt.hint_count += 1
    session.add(HintRecord(attempt_id=attempt.id, position=attempt.hint_count, level=level, kind=kind,
                           text=text))
    apply_evidence(session, user_id=attempt.user_id, skill_id=problem.skill_id, difficulty=problem.difficulty,
                   evidence=learner.Evidence("hint", hint_level=level), attempt_id=attempt.id)
    return HintView(attempt.id, level, kind, text, last, repeated=False, source=source)


def reveal_solution(db: Database, *, attempt_id: int, user_id: int) -> SolutionView:
    """The worked solution, only after at least one step; the attempt then counts as not solved."""
    with db.transaction() as session:
        attempt = load_attempt(session, attempt_id, user_id, lock=True)
        if attempt.step_count == 0:
            raise Conflict("try at least one step yourself before asking for the full solution")
        problem = session.get_one(Problem, attempt.problem_id)
        try:
            worked = checked(solve, tutor_problem(problem), user_id=user_id)
        except StateError as error:  # an authored problem outside what the solver can work
            message = f"there is no worked solution for this problem ({error}); ask your teacher"
            raise Conflict(message) from error
        steps = [SolutionStep(s.before, s.after, s.rule, s.explanation) for s in worked]
        if attempt.solution_revealed_at is None:
            attempt.solution_revealed_at = utcnow()
        if attempt.status == "in_progress":
            end_attempt(session, attempt, solved=False)
        return SolutionView(attempt.id, steps)
