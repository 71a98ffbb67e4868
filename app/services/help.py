"""Help on a problem: escalating hints, and the full worked solution once the learner has tried.

Each hint request climbs the ladder (nudge, specific hint, the next step itself) and stays on the
last rung after that. Hints are evidence of not yet knowing the skill. A hint the learner has already
been given on this attempt (the last rung asked again at the same line) is shown again but neither
stored nor counted: clicking does not make a learner know less. Revealing the solution ends the attempt
as not solved, and is recorded so the teacher sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.db import Database
from app.models import HintRecord, Problem
from app.models.base import utcnow
from app.services.checks import checked
from app.services.errors import Conflict
from app.services.mastery import apply_evidence
from app.services.tutoring import end_attempt, load_attempt, tutor_problem
from tutor import hints, learner
from tutor.solver import StateError, solve
from tutor.workability import solver_can_start

TOP_LEVEL = hints.LAST_LEVEL
NO_STEP_HINTS = ("There are no step hints for this problem: the tutor checks each of your steps and your "
                 "answer, but cannot work this one step by step. Ask your teacher if you are stuck.")


@dataclass(frozen=True)
class HintView:
    attempt_id: int
    level: int  # 1 nudge, 2 specific, 3 the next step
    kind: str
    text: str
    last: bool  # the top rung: asking again at this line only repeats it
    repeated: bool  # given before on this attempt, so not stored or counted again


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


def request_hint(db: Database, *, attempt_id: int, user_id: int) -> HintView:
    """The next hint for where the learner is now, stored with the attempt."""
    with db.transaction() as session:
        attempt = load_attempt(session, attempt_id, user_id, lock=True)
        if attempt.status != "in_progress":
            raise Conflict("this problem is already finished; hints are for problems in progress")
        problem = session.get_one(Problem, attempt.problem_id)
        level = min(attempt.hint_count + 1, TOP_LEVEL)
        try:
            hint = checked(hints.hint_for, tutor_problem(problem), attempt.current_state, level,
                           user_id=user_id)
        except StateError as error:  # a valid line the solver has no move for, e.g. after squaring
            if not solver_can_start(tutor_problem(problem)):
                raise Conflict(NO_STEP_HINTS) from error
            raise Conflict(
                f"I can't work out a hint from your current line ({error}); go back to an earlier form "
                "of the problem or ask your teacher."
            ) from error
        given = session.scalar(select(HintRecord.id).where(
            HintRecord.attempt_id == attempt.id, HintRecord.level == hint.level, HintRecord.text == hint.text
        ).limit(1))
        if given is not None:
            return HintView(attempt.id, hint.level, hint.kind, hint.text, hint.last, repeated=True)
        attempt.hint_count += 1
        session.add(HintRecord(attempt_id=attempt.id, position=attempt.hint_count, level=hint.level,
                               kind=hint.kind, text=hint.text))
        apply_evidence(session, user_id=user_id, skill_id=problem.skill_id, difficulty=problem.difficulty,
                       evidence=learner.Evidence("hint", hint_level=hint.level), attempt_id=attempt.id)
        return HintView(attempt.id, hint.level, hint.kind, hint.text, hint.last, repeated=False)


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
