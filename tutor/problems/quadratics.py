"""Quadratic equations: by factoring (integer roots) and by the formula (irrational roots)."""

from __future__ import annotations

import random
from functools import partial

import sympy

from tutor.moves.polynomials import quadratic_move
from tutor.notation import fmt, to_latex, x
from tutor.problems.problem import GOALS, BKTParams, Draft, Skill, nonzero


def quadratic_factoring(rng: random.Random, difficulty: int) -> Draft:
    """Monic at 1-2, a common factor at 3, terms on both sides at 4, a leading coefficient at 5."""
    r, s = rng.sample([n for n in range(-2 - 2 * difficulty, 3 + 2 * difficulty) if n != 0], 2)
    lead = {3: rng.randint(2, 4)}.get(difficulty, 1)
    lhs = sympy.expand(lead * (x - r) * (x - s))
    if difficulty == 5:
        p = rng.choice([2, 3])
        r = sympy.Rational(rng.choice([-1, 1]) * rng.choice([1, 2, 4, 5]), p)
        lhs = sympy.expand((p * x - p * r) * (x - s))
    start = f"{fmt(lhs)} = 0"
    if difficulty == 4:
        moved = nonzero(rng, -5, 5) * x
        start = fmt(sympy.Eq(lhs - moved - lhs.coeff(x, 0), -moved - lhs.coeff(x, 0)))
    roots = sorted({r, s})
    answer = " or ".join(f"x = {fmt(root)}" for root in roots)
    return Draft("solve", f"Solve by factoring: {start}", to_latex(start), start, answer, "solved:x")


def quadratic_formula(rng: random.Random, difficulty: int) -> Draft:
    """Roots p ± sqrt(q) at 1-2, then leading coefficients and larger discriminants."""
    while True:
        a = 1 if difficulty <= 2 else rng.randint(1, difficulty - 1)
        b = nonzero(rng, -2 - 2 * difficulty, 2 + 2 * difficulty) * (2 if difficulty <= 2 else 1)
        c = nonzero(rng, -3 - 2 * difficulty, 3 + 2 * difficulty)
        discriminant = b * b - 4 * a * c
        if discriminant > 0 and sympy.sqrt(discriminant).is_irrational:
            break
    lhs = a * x**2 + b * x + c
    start = f"{fmt(lhs)} = 0"
    roots = sorted(sympy.solve(lhs, x), key=float)
    answer = " or ".join(f"x = {fmt(sympy.together(root))}" for root in roots)
    prompt = f"Solve with the quadratic formula: {start}"
    return Draft("solve", prompt, to_latex(start), start, answer, "solved:x")


SKILLS = (
    Skill(
        "quadratic_factoring", "Quadratics by factoring", "Standard form, factor, zero product rule.",
        prerequisites=("factor_polynomials", "linear_two_step"),
        generator=quadratic_factoring, move=partial(quadratic_move, use_formula=False), goal=GOALS["solve"],
    ),
    Skill(
        "quadratic_formula", "Quadratic formula", "x = (-b ± sqrt(b^2 - 4ac))/(2a).",
        prerequisites=("quadratic_factoring",),
        generator=quadratic_formula, move=partial(quadratic_move, use_formula=True), goal=GOALS["solve"],
        bkt=BKTParams(p_slip=0.15),  # a long computation: arithmetic slips are common even when known
    ),
)  # fmt: skip
