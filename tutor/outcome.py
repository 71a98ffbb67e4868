"""One checked path from a learner's new line to everything the app needs to know about it.

:func:`step_outcome` takes the problem, the lines the learner has written so far and the new line, and
returns one :class:`Outcome`: the verdict, whether the line is progress, whether it solves the problem,
and the diagnosis of a wrong step. The app runs it once, in a checking process under the CPU budget
(:func:`tutor.checking.run`), so the SymPy work it does never runs on a request thread. It calls the
public checks (``check_step``, ``check_answer``, ``is_final``), which run inline inside that process.

Only real progress counts: a line that keeps the solutions but does no work (an identity such as
``0 = 0``, a repeat, a return to an earlier line) is acknowledged without mastery evidence, and a step
that widens the solution set ("implied") says so and is not progress either.

A problem with no start (a word problem: only its final answer is known) is checked line by line as far
as the verifier can: the final answer by the answer checker (a line with the answer's value or solutions
but not yet its form is progress), an arithmetic statement (``16 - 3 - 4 = 9``) on its own, and any other
line against the learner's previous line of the same kind (equation or expression). The first such line
has nothing to check it against: a number on its own is taken as a (wrong) answer, anything else as the
learner's own setup, accepted but unchecked, which says nothing about the skill.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import sympy

from tutor.answers import is_text_answer, normalise_answer, written_as_text
from tutor.conventions import Conventions
from tutor.parse import MathSyntaxError, parse_math
from tutor.problems.problem import Problem
from tutor.solver import StateError, is_final
from tutor.verdicts import ACCEPTED, StepStatus
from tutor.verify import check_answer, check_step
from tutor.workability import answer_only_form, solver_can_start

_BARE_NUMBER = re.compile(r"[-−]?(?:\d+\.?\d*|\.\d+)")
Progress = Literal["advanced", "no_work", "widened", "unchecked", "none"]

IDENTITY = (
    "That is true, but it holds for every value, so it says nothing about this problem; "
    "carry on from your last line."
)
REPEAT = "That is the same as an earlier line: true, but it does not move the work forward."
ANSWER = "Correct: that is the answer."
TRUE_ARITHMETIC = "That is right."
FALSE_ARITHMETIC = "That is not true: check the arithmetic on each side."
OWN_SETUP = ("There is no earlier line to check this against, so it is taken as your own starting line; "
             "your next lines are checked against it.")
NOT_FROM_PREVIOUS = ("If you are starting a new calculation, write it as a statement (such as 9 * 2 = 18) "
                     "and it is checked on its own.")


@dataclass(frozen=True)
class Outcome:
    """What one new line means.

    ``status``: the verdict (a :class:`~tutor.verdicts.StepStatus`, unparsable included); ``accepted``:
    the line becomes the learner's current line; ``progress``: ``advanced`` (real work), ``no_work``
    (identity or repeat), ``widened`` (implied: solutions may have been added), ``unchecked`` (accepted
    with nothing to check it against: the first line of a problem with no start) or ``none`` (not
    accepted); ``solved``: the line is the problem's final answer; ``diagnosis``: what went wrong in a
    wrong step, and ``misconception`` its name (grouped on the teacher's page); ``form``: the answer-form
    rule a final line of the right value breaks ("6/8 is not in lowest terms"), so the problem is not
    solved yet and the learner is told.
    """

    status: StepStatus
    message: str
    accepted: bool
    progress: Progress
    solved: bool
    diagnosis: str | None = None
    form: str | None = None
    misconception: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", StepStatus(self.status))  # a member even if given as text

    @property
    def evidence(self) -> str | None:
        """What the line tells the learner model: only real progress and real mistakes count."""
        if self.progress == "advanced":
            return "step_correct"
        return "step_wrong" if self.status == StepStatus.INVALID else None


def step_outcome(problem: Problem, earlier: tuple[str, ...], line: str) -> Outcome:
    """The outcome of ``line`` after ``earlier`` (the problem's start, then each accepted line, the last
    being the current state). Raises nothing for bad input: unreadable math is an ``unparsable`` outcome."""
    if not problem.start.strip():
        return _answer_only_outcome(problem, earlier, line)
    current = earlier[-1] if earlier else problem.start
    reading = problem.conventions
    try:
        verdict = check_step(current, line, conventions=reading)
    except MathSyntaxError as error:
        return Outcome(StepStatus.UNPARSABLE, str(error), accepted=False, progress="none", solved=False)
    if verdict.status not in ACCEPTED:
        wrong = verdict.status == StepStatus.INVALID
        diagnosis, misconception = (verdict.message, verdict.misconception) if wrong else (None, None)
        return Outcome(verdict.status, verdict.message, False, "none", False, diagnosis, None, misconception)
    if _is_identity(parse_math(line, conventions=reading)) and not _is_identity(
        parse_math(current, conventions=reading)
    ):
        return Outcome(verdict.status, IDENTITY, accepted=False, progress="no_work", solved=False)
    if any(_same_line(line, before) for before in (problem.start, *earlier)):
        return Outcome(verdict.status, REPEAT, accepted=True, progress="no_work", solved=False)
    progress: Progress = "advanced" if verdict.status == StepStatus.EQUIVALENT else "widened"
    solved, form_failure, message = _final(problem, line)
    return Outcome(verdict.status, message or verdict.message, True, progress, solved, form=form_failure)


def _answer_only_outcome(problem: Problem, earlier: tuple[str, ...], line: str) -> Outcome:
    """A line of a problem with no start (see the module's docstring)."""
    reading = problem.conventions
    answer = check_answer(line, problem.answer, form=answer_only_form(problem), conventions=reading)
    if answer.correct:  # also a text answer such as a name, which is not math
        return Outcome(StepStatus.EQUIVALENT, ANSWER, accepted=True, progress="advanced", solved=True)
    if is_text_answer(problem.answer) and written_as_text(line):  # a name, but not the right one
        return Outcome(StepStatus.INVALID, answer.message, accepted=False, progress="none", solved=False)
    try:
        parsed = parse_math(line, conventions=reading)
    except MathSyntaxError as error:
        return Outcome(StepStatus.UNPARSABLE, str(error), accepted=False, progress="none", solved=False)
    if any(_same_line(line, before) for before in earlier if before.strip()):
        return Outcome(StepStatus.EQUIVALENT, REPEAT, accepted=True, progress="no_work", solved=False)
    if answer.form_failure:  # the answer's value (or its solutions): one more step to write it as asked
        message = f"{answer.message} Write it that way to finish."
        return Outcome(StepStatus.EQUIVALENT, message, True, "advanced", False, form=answer.form_failure)
    if (truth := arithmetic_truth(parsed)) is not None:
        if truth:
            return Outcome(StepStatus.EQUIVALENT, TRUE_ARITHMETIC, True, "advanced", solved=False)
        return Outcome(StepStatus.INVALID, FALSE_ARITHMETIC, accepted=False, progress="none", solved=False)
    previous = _previous_of_kind(earlier, _is_statement(parsed), reading)
    if previous is None:
        if _BARE_NUMBER.fullmatch(normalise_answer(line)):  # with nothing before it: a wrong answer
            return Outcome(StepStatus.INVALID, answer.message, accepted=False, progress="none", solved=False)
        return Outcome(StepStatus.UNVERIFIABLE, OWN_SETUP, accepted=True, progress="unchecked", solved=False)
    verdict = check_step(previous, line, conventions=reading)
    if verdict.status == StepStatus.INVALID:
        message = f"{verdict.message} {NOT_FROM_PREVIOUS}"
        slip = verdict.misconception
        return Outcome(StepStatus.INVALID, message, False, "none", False, verdict.message, None, slip)
    if verdict.status not in ACCEPTED:
        return Outcome(verdict.status, verdict.message, accepted=False, progress="none", solved=False)
    progress: Progress = "advanced" if verdict.status == StepStatus.EQUIVALENT else "widened"
    return Outcome(verdict.status, verdict.message, accepted=True, progress=progress, solved=False)


def _previous_of_kind(earlier: tuple[str, ...], statement: bool, reading: Conventions) -> str | None:
    """The learner's last accepted line that is a statement (or an expression, as asked), leaving out
    arithmetic statements, which are checked on their own."""
    for before in reversed(earlier):
        if not before.strip():
            continue
        try:
            parsed = parse_math(before, conventions=reading)
        except MathSyntaxError:  # an accepted text answer cannot be read back as math
            continue
        if arithmetic_truth(parsed) is None and _is_statement(parsed) == statement:
            return before
    return None


def _is_statement(value: sympy.Basic) -> bool:
    return not isinstance(value, sympy.Expr)


def arithmetic_truth(value: sympy.Basic) -> bool | None:
    """Whether a statement with no unknowns (``11 - 3 = 8``) is true; None for anything else."""
    if value in (sympy.true, sympy.false):  # arithmetic such as 11 - 3 = 8 is decided when parsed
        return value == sympy.true
    if isinstance(value, sympy.core.relational.Relational) and not value.free_symbols:
        try:
            return bool(sympy.simplify(value))
        except TypeError:  # SymPy cannot decide it
            return None
    return None


def _final(problem: Problem, line: str) -> tuple[bool, str | None, str | None]:
    """(solves the problem, the answer-form rule it breaks, what to tell the learner about that)."""
    # check_answer alone would accept "2x = 4" for "x = 2" (same solutions); is_final asks for the form.
    reading = problem.conventions
    try:
        final = is_final(problem, line)
    except StateError:  # a true line the solver has no move for, e.g. after squaring: not finished yet
        if solver_can_start(problem):
            return False, None, None
        # A teacher's problem beyond the solver: the answer checker alone decides, in the answer's shape.
        only = check_answer(line, problem.answer, form=answer_only_form(problem), conventions=reading)
        return only.correct, None, None
    if not final:
        return False, None, None
    answer = check_answer(line, problem.answer, form=problem.form, conventions=reading)
    if answer.correct:
        return True, None, None
    if answer.form_failure:  # the right value in another form: one more step to write it as asked
        return False, answer.form_failure, f"{answer.message} Write it that way to finish."
    return False, None, None


def _is_identity(value: sympy.Basic) -> bool:
    """A statement true for every value of its unknowns: ``0 = 0``, ``x = x``, ``2(x+1) = 2x + 2``."""
    if value is sympy.true:
        return True
    if isinstance(value, sympy.Eq):
        return sympy.expand(value.lhs - value.rhs) == 0
    return False


def _same_line(first: str, second: str) -> bool:
    """The same line as typed, up to spaces and which side of an equation is written first.

    Compared as text, because parsing evaluates: ``11 * 1 - 5`` and ``6`` parse to the same number, yet
    writing one after the other is work."""
    first, second = "".join(first.split()), "".join(second.split())
    if first == second:
        return True
    first_sides, second_sides = first.split("="), second.split("=")
    return len(first_sides) == len(second_sides) == 2 and first_sides == second_sides[::-1]


def reply_line(state: str, math: str) -> tuple[str, bool]:
    """How one line of math in a model's reply stands against the problem's ``state``: ``verified``,
    ``flagged`` (wrong), ``unchecked`` (undecided) or ``prose`` (not math after all), and whether the
    line is a new state of the problem that later lines follow from."""
    try:
        parsed = parse_math(math)
        if (truth := arithmetic_truth(parsed)) is not None:
            return ("verified" if truth else "flagged"), False
        if not state.strip():  # a problem with no start, before the learner's first line
            return "unchecked", False
        status = check_step(state, math).status
    except (ValueError, TypeError):  # MathSyntaxError is a ValueError: prose that only looks like math
        return "prose", False
    if status in ACCEPTED:
        return "verified", True
    return ("flagged" if status == StepStatus.INVALID else "unchecked"), False
