"""Exact checking of learner steps and answers, each under a hard time limit.

Both sides are parsed here first, so unreadable input fails fast with a :class:`MathSyntaxError` that
says what is wrong and where. The SymPy work then runs in a worker process (:mod:`tutor.sandbox`): a check
that cannot finish in time is reported as ``unverifiable``, never as right or wrong.
"""

from __future__ import annotations

from tutor.answers import answers_match, normalise_answer
from tutor.judge import UNVERIFIABLE, judge_step
from tutor.parse import MathSyntaxError, parse_math
from tutor.sandbox import DeadlineExceeded, DeadlinePool
from tutor.verdicts import AnswerVerdict, StepVerdict

__all__ = ["AnswerVerdict", "MathSyntaxError", "StepVerdict", "check_answer", "check_step", "warm_up"]

DEFAULT_SECONDS = 3.0
UNCHECKED_ANSWER = "I couldn't check this answer automatically; compare it with the solution."
_pool = DeadlinePool(size=2)


def check_step(before: str, after: str, *, seconds: float = DEFAULT_SECONDS) -> StepVerdict:
    """How ``after`` follows from ``before``; raises MathSyntaxError when either cannot be read."""
    parse_math(before)
    parse_math(after)
    try:
        return _pool.run(judge_step, (before, after), seconds)
    except DeadlineExceeded:
        return StepVerdict("unverifiable", UNVERIFIABLE + " (it took too long to check)")
    except MathSyntaxError:
        raise
    except Exception:  # SymPy's own failures on unusual input (PolynomialError, AttributeError in solveset)
        return StepVerdict("unverifiable", UNVERIFIABLE)


def check_answer(submitted: str, expected: str, *, seconds: float = DEFAULT_SECONDS) -> AnswerVerdict:
    """Whether ``submitted`` is the same answer as ``expected``, in whatever form it was written."""
    if not normalise_answer(submitted):
        return AnswerVerdict(False, "There is no answer to check yet.")
    try:
        correct = _pool.run(answers_match, (submitted, expected), seconds)
    except DeadlineExceeded:
        return AnswerVerdict(False, "I couldn't check this answer in time; compare it with the solution.")
    except Exception:  # SymPy's own failures on unusual input: never reported as right or wrong
        return AnswerVerdict(False, UNCHECKED_ANSWER)
    if correct:
        return AnswerVerdict(True, "Correct!")
    return AnswerVerdict(False, f"Not quite: {submitted.strip()} is not the expected answer.")


def warm_up() -> None:
    """Start the checking processes early (for example when the web app starts)."""
    _pool.warm()
