"""Linear skills: one- and two-step equations, both sides with brackets, inequalities, 2x2 systems."""

from __future__ import annotations

import random

import sympy

from tutor.moves.linear import equation_move, system_move
from tutor.notation import fmt, to_latex, x, y
from tutor.problems.problem import GOALS, BKTParams, Draft, Skill, nonzero


def _solution(rng: random.Random, difficulty: int) -> int:
    return (
        rng.randint(1, 4 + 3 * difficulty)
        if difficulty < 3
        else nonzero(rng, -3 * difficulty, 3 * difficulty)
    )


def _solve_draft(start: str, answer: str) -> Draft:
    return Draft("solve", f"Solve for x: {start}", to_latex(start), start, answer, "solved:x")


def linear_one_step(rng: random.Random, difficulty: int) -> Draft:
    """x + a = b, x - a = b, ax = b, and from difficulty 2 x/a = b."""
    s, a = _solution(rng, difficulty), rng.randint(2, 3 + 2 * difficulty)
    lhs = rng.choice([x + a, x - a, a * x, *([x / a] * (difficulty >= 2))])
    return _solve_draft(fmt(sympy.Eq(lhs, lhs.subs(x, s))), f"x = {s}")


def linear_two_step(rng: random.Random, difficulty: int) -> Draft:
    """ax + b = c; negative coefficients from 3, x/a + b from 4, b - ax from 5."""
    s, b = _solution(rng, difficulty), nonzero(rng, -4 * difficulty, 4 * difficulty)
    a = rng.randint(2, 3 + difficulty) * (rng.choice([1, -1]) if difficulty >= 3 else 1)
    if difficulty == 4:
        s = a * rng.randint(-4, 6)  # keeps x/a + b = c in whole numbers
    lhs = {4: x / a + b, 5: b - a * x}.get(difficulty, a * x + b)
    return _solve_draft(fmt(sympy.Eq(lhs, lhs.subs(x, s))), f"x = {s}")


def linear_both_sides(rng: random.Random, difficulty: int) -> Draft:
    """x on both sides; brackets to distribute from difficulty 2, on both sides from 4."""
    s = _solution(rng, difficulty)
    a, c = rng.sample([n for n in range(-2 - difficulty, 4 + difficulty) if n not in (0, 1)], 2)
    b, d = nonzero(rng, -3 - difficulty, 3 + difficulty), nonzero(rng, -3 - difficulty, 3 + difficulty)
    left = a * (x + b)
    right_x = c * x if difficulty < 4 else c * (x + d)
    constant = left.subs(x, s) - right_x.subs(x, s)
    left_text = fmt(sympy.expand(left)) if difficulty == 1 else f"{_coefficient(a)}({fmt(x + b)})"
    right_text = (
        fmt(sympy.expand(right_x) + constant)
        if difficulty < 4
        else (
            f"{_coefficient(c)}({fmt(x + d)})"
            + (f" {'+' if constant > 0 else '-'} {abs(constant)}" if constant else "")
        )
    )
    return _solve_draft(f"{left_text} = {right_text}", f"x = {s}")


def _coefficient(n: int) -> str:
    return {1: "", -1: "-"}.get(n, str(n))


def linear_inequalities(rng: random.Random, difficulty: int) -> Draft:
    """ax + b < c; negative coefficients (flipping the sign) from 2, x on both sides from 4."""
    s, b = _solution(rng, difficulty), nonzero(rng, -3 * difficulty, 3 * difficulty)
    a = rng.randint(2, 3 + difficulty) * (rng.choice([1, -1]) if difficulty >= 2 else 1)
    relation = rng.choice([sympy.Lt, sympy.Le, sympy.Gt, sympy.Ge])
    lhs, rhs_x = a * x + b, (rng.randint(1, 3) * (1 if a < 0 else -1) * x if difficulty >= 4 else 0)
    start = relation(
        lhs, rhs_x + lhs.subs(x, s) - rhs_x.subs(x, s) if rhs_x else lhs.subs(x, s), evaluate=False
    )
    net = a - (rhs_x.coeff(x) if rhs_x else 0)
    final = (
        relation(x, s)
        if net > 0
        else {sympy.Lt: sympy.Gt, sympy.Gt: sympy.Lt, sympy.Le: sympy.Ge, sympy.Ge: sympy.Le}[relation](x, s)
    )
    return Draft(
        "solve", f"Solve the inequality: {fmt(start)}", to_latex(fmt(start)), fmt(start), fmt(final),
        "solved:x",
    )  # fmt: skip


def linear_systems(rng: random.Random, difficulty: int) -> Draft:
    """Two equations in x and y; coefficients grow with difficulty, unit coefficients at 1."""
    s, t = _solution(rng, difficulty), _solution(rng, difficulty)
    while True:
        top = 1 + difficulty
        a, b, c, d = (1, 1, 1, -1) if difficulty == 1 else (nonzero(rng, -top, top) for _ in range(4))
        if a * d - b * c != 0:
            break
    equations = [sympy.Eq(a * x + b * y, a * s + b * t), sympy.Eq(c * x + d * y, c * s + d * t)]
    start = ", ".join(fmt(eq) for eq in equations)
    answer = f"x = {s}, y = {t}"
    return Draft("solve", f"Solve the system: {start}", to_latex(start), start, answer, "solved:x,y")


SKILLS = (
    Skill(
        "linear_one_step", "One-step equations", "Undo one operation to find x.",
        prerequisites=("order_of_operations",),
        generator=linear_one_step, move=equation_move, goal=GOALS["solve"],
        bkt=BKTParams(p_guess=0.3),  # easy to answer by trying numbers
    ),
    Skill(
        "linear_two_step", "Two-step equations", "Undo the constant, then the coefficient.",
        prerequisites=("linear_one_step",),
        generator=linear_two_step, move=equation_move, goal=GOALS["solve"],
    ),
    Skill(
        "linear_both_sides", "Variables on both sides", "Distribute, gather x-terms, then solve.",
        prerequisites=("linear_two_step",),
        generator=linear_both_sides, move=equation_move, goal=GOALS["solve"],
    ),
    Skill(
        "linear_inequalities", "Linear inequalities", "Solve like an equation; flip for negatives.",
        prerequisites=("linear_two_step",),
        generator=linear_inequalities, move=equation_move, goal=GOALS["solve"],
    ),
    Skill(
        "linear_systems", "Systems of two linear equations", "Eliminate one unknown, then substitute.",
        prerequisites=("linear_both_sides",),
        generator=linear_systems, move=system_move, goal=GOALS["solve"],
    ),
)  # fmt: skip
