"""The symbolic solver: worked solutions and the next step from wherever the learner is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import sympy
from sympy.polys.polyerrors import BasePolynomialError

from tutor.problems.problem import Problem
from tutor.solver import stepwise
from tutor.solver.calculus import derivative_move, rational_move
from tutor.solver.linear import Move, equation_move, system_move
from tutor.solver.polynomials import expand_move, factor_move, quadratic_move
from tutor.solver.reading import StateError, read_state

__all__ = ["StateError", "Step", "is_final", "next_step", "solve"]

MAX_STEPS = 40


@dataclass(frozen=True)
class Step:
    """One rewrite: `before` and `after` are typed notation that check_step can compare."""

    before: str
    after: str
    rule: str
    explanation: str


def _stepwise_move(text: str, state: sympy.Basic) -> Move | None:
    try:
        move = stepwise.next_move(stepwise.read(text))
    except stepwise.NotStepwise as error:
        raise StateError(str(error)) from error
    return None if move is None else (stepwise.show(move[0]), move[1], move[2])


_MOVES: dict[str, Callable[[str, sympy.Basic], Move | None]] = {
    "fractions": _stepwise_move,
    "order_of_operations": _stepwise_move,
    "exponent_rules": _stepwise_move,
    "radicals": _stepwise_move,
    "linear_one_step": equation_move,
    "linear_two_step": equation_move,
    "linear_both_sides": equation_move,
    "linear_inequalities": equation_move,
    "linear_systems": system_move,
    "expand_polynomials": expand_move,
    "factor_polynomials": factor_move,
    "quadratic_factoring": partial(quadratic_move, use_formula=False),
    "quadratic_formula": partial(quadratic_move, use_formula=True),
    "rational_expressions": rational_move,
    "derivatives": derivative_move,
}


def next_step(problem: Problem, current: str) -> Step | None:
    """The next step from `current`, any state the learner reached; None once it is the final answer."""
    if problem.skill not in _MOVES:
        raise StateError(f"no solver for skill {problem.skill!r}")
    if not current.strip():
        raise StateError("the current state is empty; write an expression or equation first")
    try:
        move = _MOVES[problem.skill](current.strip(), read_state(current))
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
