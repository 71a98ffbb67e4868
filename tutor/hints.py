"""The hint ladder: a nudge (what to aim for), a specific hint (which operation), then the next step.

The nudge is the goal in the skill's declaration (:mod:`tutor.problems`); the other rungs come from
the solver's next step.

Hints are computed from the learner's current state, so they stay right after any valid detour. The
next step is the last rung: a hint says so, because nothing more specific than the step itself exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutor.parse import typed_latex
from tutor.problems import SKILLS, Problem
from tutor.solver import next_step

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
