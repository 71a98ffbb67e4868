"""The hint ladder: a nudge (what to aim for), a specific hint (which operation), then the next step.

Hints are computed from the learner's current state, so they stay right after any valid detour.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutor.problems import Problem
from tutor.solver import next_step

LEVELS = {1: "nudge", 2: "specific", 3: "next_step"}

_GOALS = {
    "solve": "Aim to get the unknown on its own on one side, doing the same thing to both sides.",
    "simplify": "Aim for a single simplest form: combine what can be combined, cancel what can be cancelled.",
    "evaluate": "Aim for one number: brackets first, then powers, then × and ÷, then + and −.",
    "expand": "Aim for a sum of terms with no brackets left, like terms collected.",
    "factor": "Aim for a product: first anything all terms share, then factor what is inside the brackets.",
    "differentiate": "Aim to replace d/dx(...) by the derivative, using the rule for the outermost shape.",
}


class HintError(ValueError):
    """A hint was asked for at a level that does not exist."""


@dataclass(frozen=True)
class Hint:
    level: int
    kind: str
    text: str


def hint_for(problem: Problem, current: str, level: int) -> Hint:
    """The hint at `level` (1 nudge, 2 specific, 3 next step) for the learner's current state."""
    if level not in LEVELS:
        raise HintError(f"hint level must be 1, 2 or 3, got {level!r}")
    step = next_step(problem, current)
    if step is None:
        return Hint(level, LEVELS[level], f"{current} is already the final answer; nothing is left to do.")
    texts = {
        1: _GOALS[problem.kind],
        2: f"Next, {step.rule}. {step.explanation}",
        3: f"{step.rule[0].upper()}{step.rule[1:]}: {step.after}",
    }
    return Hint(level, LEVELS[level], texts[level])
