"""The symbolic solver: worked solutions and the next step from wherever the learner is.

Each skill's declaration names its move (:mod:`tutor.moves`); this module runs it from any state.
"""

from __future__ import annotations

from dataclasses import dataclass

from sympy.polys.polyerrors import BasePolynomialError

from tutor.moves.reading import StateError, read_state
from tutor.problems import SKILLS, Problem

__all__ = ["StateError", "Step", "is_final", "next_step", "solve"]

MAX_STEPS = 40


@dataclass(frozen=True)
class Step:
    """One rewrite: `before` and `after` are typed notation that check_step can compare."""

    before: str
    after: str
    rule: str
    explanation: str


def next_step(problem: Problem, current: str) -> Step | None:
    """The next step from `current`, any state the learner reached; None once it is the final answer."""
    if problem.skill not in SKILLS:
        raise StateError(f"no solver for skill {problem.skill!r}")
    if not current.strip():
        raise StateError("the current state is empty; write an expression or equation first")
    try:
        move = SKILLS[problem.skill].move(current.strip(), read_state(current))
    except BasePolynomialError as error:  # e.g. log(x) = 2 under a linear skill: not a state it can work
        raise StateError(f"the {problem.skill} solver has no move for {current.strip()!r}") from error
    return None if move is None else Step(current.strip(), *move)


def is_final(problem: Problem, current: str) -> bool:
    """Whether `current` is already the fully simplified answer (nothing is left to do)."""
    return next_step(problem, current) is None


def solve(problem: Problem) -> list[Step]:
    """The worked solution from `problem.start`, one checkable step at a time."""
    steps: list[Step] = []
    current = problem.start
    while (step := next_step(problem, current)) is not None:
        if len(steps) == MAX_STEPS:
            raise StateError(f"no solution within {MAX_STEPS} steps for {problem.start!r}")
        steps.append(step)
        current = step.after
    return steps
