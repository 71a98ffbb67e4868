"""The hint ladder: a nudge (what to aim for), a specific hint (which operation), then the next step.

The nudge is the goal in the skill's declaration (:mod:`tutor.problems`); the other rungs come from
the solver's next step.

Hints are computed from the learner's current state, so they stay right after any valid detour. The
next step is the last rung: a hint says so, because nothing more specific than the step itself exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tutor.answers import is_text_answer, normalise_answer
from tutor.parse import typed_latex
from tutor.problems import SKILLS, Problem
from tutor.solver import next_step
from tutor.verify import check_answer
from tutor.workability import answer_only_form

LEVELS = {1: "nudge", 2: "specific", 3: "next_step"}
LAST_LEVEL = max(LEVELS)

class HintError(ValueError):
    """A hint was asked for at a level that does not exist."""


@dataclass(frozen=True)
class Hint:
    level: int
    kind: str
    text: str

    @property
    def last(self) -> bool:
        """The top of the ladder: asking again at the same line can only repeat it."""
        return self.level == LAST_LEVEL


def hint_for(problem: Problem, current: str, level: int) -> Hint:
    """The hint at `level` (1 nudge, 2 specific, 3 next step) for the learner's current state."""
    if level not in LEVELS:
        raise HintError(f"hint level must be 1, 2 or 3, got {level!r}")
    step = next_step(problem, current)
    if step is None:
        done = f"{_math(current)} is already the final answer; nothing is left to do."
        return Hint(level, LEVELS[level], done)
    texts = {
        1: SKILLS[problem.skill].goal,  # next_step found the skill
        2: f"Next, {step.rule}. {step.explanation}",
        3: f"{step.rule[0].upper()}{step.rule[1:]}: {_math(step.after)}",
    }
    return Hint(level, LEVELS[level], texts[level])


def _math(line: str) -> str:
    """A line of math as the page typesets it (``$...$``), written as it was typed."""
    return f"${typed_latex(line)}$"


_SIDES = re.compile(r"=|≈|\\approx")
_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?(?![\w])")


def gives_away_answer(problem: Problem, maths: list[str], prose: str = "") -> bool:
    """Whether a hint gives away ``problem``'s final answer: a piece of its math is the answer, in the form
    the answer checker asks for (``x = 3``), or one side of it is (``9 * 2 = 18`` for 18); or its prose
    names an answer that is a number or a name the problem's own text does not mention."""
    form = answer_only_form(problem)
    for math in maths:
        pieces = [math, *_SIDES.split(math)] if _SIDES.search(math) else [math]
        for piece in pieces:
            if piece.strip() and check_answer(piece, problem.answer, form=form).correct:
                return True
    return _named_in(prose, problem.answer) and not _named_in(problem.prompt, problem.answer)


def _named_in(text: str, answer: str) -> bool:
    """Whether ``text`` mentions ``answer`` when that is a plain number (18, 1,000) or a name (Evelyn)."""
    expected = normalise_answer(answer)
    if is_text_answer(answer):
        name = re.sub(r"\\text\{([^{}]*)\}", r"\1", expected).strip()
        return bool(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, flags=re.IGNORECASE))
    value = _decimal(expected)
    return value is not None and any(_decimal(number) == value for number in _NUMBER.findall(text))


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
