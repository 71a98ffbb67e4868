"""Whether the tutor can work a teacher's problem: step by step with the solver, or by checking only.

A problem the solver cannot work is still tutored (the learner's steps are checked by the verifier,
the final answer by the answer checker); it just has no worked solution or solver hints. A problem with
no start (a word problem from GSM8K, most of MATH-500) is one of those: only its final answer is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutor.answers import unreadable_answer
from tutor.problems.problem import Problem
from tutor.solver import StateError, is_final, solve
from tutor.verdicts import ACCEPTED, StepStatus
from tutor.verify import MathSyntaxError, check_answer, check_step

NO_STEP_HINTS = ("There are no step hints for this problem: the tutor checks each of your steps and your "
                 "answer, but cannot work this one step by step. Ask your teacher if you are stuck.")
ANSWER_ONLY = ("There is no start, so the tutor checks the learner's final answer, and each of their lines "
               "against the one before where it can, but cannot work it step by step (no step hints).")
_MIXED_NUMBER = re.compile(r"\d+\s*\\[dt]?frac\{\d+\}\{\d+\}")


@dataclass(frozen=True)
class Workability:
    # The verifier accepts the answer as a step from the start (None: undecided); with no start, the
    # answer checker reads the answer and accepts it as its own final answer.
    answer_follows: bool | None
    stepwise: bool  # the solver works it step by step and ends at the answer
    message: str  # for the teacher, in words


def check_workable(problem: Problem) -> Workability:
    """What the tutor can do with ``problem``; pure but may take a few seconds (SymPy under a deadline)."""
    if not problem.start.strip():
        return _check_answer_only(problem)
    try:
        verdict = check_step(problem.start, problem.answer)
    except MathSyntaxError as error:
        return Workability(False, False, f"The start or the answer is not readable math: {error}")
    if verdict.status == StepStatus.UNVERIFIABLE:  # e.g. a busy server: say so, do not call the problem wrong
        return Workability(None, False, "The answer could not be checked against the start in time; "
                                         "check it yourself, or press Check again.")
    if verdict.status not in ACCEPTED:
        return Workability(False, False, f"The answer does not follow from the start: {verdict.message}")
    stepwise = _solver_reaches_answer(problem)
    if stepwise:
        return Workability(True, True, "The tutor can work this step by step: hints and a worked solution.")
    return Workability(True, False, "The answer follows from the start. The step-wise solver cannot work it, "
                                    "so learners get their steps and answer checked but no step hints.")


def _check_answer_only(problem: Problem) -> Workability:
    if reason := unreadable_answer(problem.answer):
        return Workability(False, False, f"The answer checker cannot read this answer: {reason}")
    itself = check_answer(problem.answer, problem.answer, form=answer_only_form(problem))
    if not itself.correct:  # no learner could ever finish: the answer fails its own form, or times out
        return Workability(False, False, f"The answer checker does not accept the answer itself: "
                                         f"{itself.message}")
    return Workability(True, False, ANSWER_ONLY)


def _solver_reaches_answer(problem: Problem) -> bool:
    try:
        steps = solve(problem)
    except StateError:
        return False
    final = steps[-1].after if steps else problem.start
    return check_answer(final, problem.answer, form=problem.form).correct


def solver_can_start(problem: Problem) -> bool:
    """Whether the step-wise solver reads the problem's start (else it gives no hints or solution)."""
    try:
        is_final(problem, problem.start)
    except StateError:
        return False
    return True


def answer_only_form(problem: Problem) -> str:
    """The form a final line must have when only the answer checker judges it: the problem's own, or
    where that asks only for an equal value, the answer's shape ("x = 1" asks for x solved, so the
    start itself is not accepted as the answer; an expression asks for a simplified one, unless the
    answer is a mixed number such as 1\\frac{4}{5}, which that rule would refuse)."""
    if problem.form != "equivalent":
        return problem.form
    if _MIXED_NUMBER.fullmatch(problem.answer.strip()):
        return "equivalent"
    left = problem.answer.split("=", 1)[0].strip()
    if "=" in problem.answer and left.isidentifier():
        return f"solved:{left}"
    return "simplified"
