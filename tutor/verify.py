"""Exact checking of learner steps and answers, each under a hard time limit.

Both sides are parsed here first, so unreadable input fails fast with a :class:`MathSyntaxError` that
says what is wrong and where. The SymPy work then runs in a worker process (:mod:`tutor.sandbox`): a check
that cannot finish in time is reported as ``unverifiable``, never as right or wrong.
"""

from __future__ import annotations

from functools import partial

from tutor import checking
from tutor.answers import grade_answer, normalise_answer
from tutor.conventions import DEFAULT, Conventions
from tutor.forms import parse_form
from tutor.judge import UNVERIFIABLE, judge_step
from tutor.parse import MathSyntaxError, parse_math
from tutor.sandbox import DeadlineExceeded
from tutor.verdicts import AnswerVerdict, StepStatus, StepVerdict

__all__ = [
    "AnswerVerdict", "Conventions", "MathSyntaxError", "StepVerdict", "check_answer", "check_step", "warm_up",
]  # fmt: skip

DEFAULT_SECONDS = 3.0
UNCHECKED_ANSWER = "I couldn't check this answer automatically; compare it with the solution."


def check_step(
    before: str, after: str, *, seconds: float = DEFAULT_SECONDS, conventions: Conventions = DEFAULT
) -> StepVerdict:
    """How ``after`` follows from ``before``; raises MathSyntaxError when either cannot be read.
    ``conventions``: the problem's reading of ``log``, ``e`` and ``i`` (see :class:`Conventions`)."""
    parse_math(before, conventions=conventions)
    parse_math(after, conventions=conventions)
    try:
        return checking.run(partial(judge_step, conventions=conventions), before, after, cpu_seconds=seconds)
    except DeadlineExceeded:
        return StepVerdict(StepStatus.UNVERIFIABLE, UNVERIFIABLE + " (it took too long to check)")
    except MathSyntaxError:
        raise
    except Exception:  # SymPy's own failures on unusual input (PolynomialError, AttributeError in solveset)
        return StepVerdict(StepStatus.UNVERIFIABLE, UNVERIFIABLE)


def check_answer(
    submitted: str,
    expected: str,
    *,
    form: str = "equivalent",
    seconds: float = DEFAULT_SECONDS,
    conventions: Conventions = DEFAULT,
) -> AnswerVerdict:
    """Whether ``submitted`` is the expected answer in the form the problem asks for.

    Correct only when proved, "couldn't check" when it cannot be settled exactly in time. ``form`` is a
    spec from :mod:`tutor.forms` (``simplified``, ``factored``, ``solved:x``, ``decimal:2``…; a ValueError
    names the known ones). An answer of the right value in the wrong form is not correct, and the message
    names the rule it breaks: "Equivalent, but 6/8 is not in lowest terms."
    """
    spec = parse_form(form)
    if not normalise_answer(submitted):
        return AnswerVerdict(False, "There is no answer to check yet.")
    try:
        grade = partial(grade_answer, conventions=conventions)
        correct, failure = checking.run(grade, submitted, expected, str(spec), cpu_seconds=seconds)
    except DeadlineExceeded:
        return AnswerVerdict(False, "I couldn't check this answer in time; compare it with the solution.")
    except Exception:  # SymPy's own failures on unusual input: never reported as right or wrong
        return AnswerVerdict(False, UNCHECKED_ANSWER)
    if correct is None:
        return AnswerVerdict(False, UNCHECKED_ANSWER)
    if correct and failure is None:
        return AnswerVerdict(True, "Correct!")
    if correct:
        lead = "The value is right" if spec.rounded else "Equivalent"
        return AnswerVerdict(False, f"{lead}, but {failure}.", form_failure=failure)
    return AnswerVerdict(False, f"Not quite: {submitted.strip()} is not the expected answer.")


def warm_up() -> None:
    """Start the checking processes early (for example when the web app starts)."""
    checking.warm()
