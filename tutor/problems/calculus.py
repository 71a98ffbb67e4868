"""Rational expressions and derivatives of polynomials (power, product and chain rules)."""

from __future__ import annotations

import random

import sympy

from tutor.moves.calculus import derivative_move, rational_move, tidy_derivative
from tutor.notation import fmt, layout, x
from tutor.problems.problem import GOALS, BKTParams, Draft, Skill, nonzero


def rational_expressions(rng: random.Random, difficulty: int) -> Draft:
    """Cancel a common factor (1-3), multiply two fractions (4), add two fractions (5)."""
    r, s, t = rng.sample([n for n in range(-3 - difficulty, 4 + difficulty) if n != 0], 3)
    if difficulty <= 3:
        extra = (x - t) if difficulty == 3 else 1
        numerator, denominator = sympy.expand((x - r) * (x - s) * extra), sympy.expand((x - r) * (x - t))
        if difficulty == 1:
            numerator = sympy.expand(rng.randint(2, 5) * (x - r))
        start = f"({fmt(numerator)})/({fmt(denominator)})"
    elif difficulty == 4:
        start = f"({fmt(sympy.expand((x - r) * (x - s)))})/({fmt(x - t)}) * ({fmt(x - t)})/({fmt(x - r)})"
    else:
        a, b = nonzero(rng, -9, 9), nonzero(rng, -9, 9)
        start = f"{a}/({fmt(x - r)}) + {b}/({fmt(x - s)})".replace("+ -", "- ")
    answer = sympy.factor(sympy.cancel(layout(start).doit()))
    numerator, denominator = sympy.fraction(answer)
    top = f"({fmt(numerator)})" if numerator.is_Add else fmt(numerator)
    shown = fmt(answer) if denominator == 1 else f"{top}/({fmt(denominator)})"
    latex = sympy.latex(layout(start), order="none")
    return Draft("simplify", f"Simplify: {start}", latex, start, shown, "simplified")


def derivatives(rng: random.Random, difficulty: int) -> Draft:
    """Power rule on sums (1-2), chain rule (3), product rule (4), product with a chain inside (5)."""
    terms = [
        nonzero(rng, -2 - difficulty, 3 + 2 * difficulty) * x**n
        for n in rng.sample(range(1, 3 + 2 * difficulty), 1 + difficulty)
    ]
    inner = rng.randint(1, difficulty) * x + nonzero(rng, -5, 5)
    expr = {
        3: inner ** rng.randint(2, 4),
        4: x ** rng.randint(1, 3) * inner,
        5: x ** rng.randint(1, 3) * inner ** rng.randint(2, 3),
    }.get(difficulty, sympy.Add(*terms) + rng.randint(-9, 9))
    start = f"d/dx({fmt(expr)})"
    answer = fmt(tidy_derivative(expr, sympy.diff(expr, x)))
    return Draft(
        "differentiate",
        f"Differentiate: {start}",
        rf"\frac{{d}}{{dx}}\left({sympy.latex(expr)}\right)",
        start,
        answer,
        "simplified",
    )


SKILLS = (
    Skill(
        "rational_expressions", "Rational expressions", "Factor, cancel, and combine algebraic fractions.",
        prerequisites=("factor_polynomials", "fractions"),
        generator=rational_expressions, move=rational_move, goal=GOALS["simplify"],
    ),
    Skill(
        "derivatives", "Derivatives", "Power, product and chain rules for polynomials.",
        prerequisites=("expand_polynomials",),
        generator=derivatives, move=derivative_move, goal=GOALS["differentiate"],
        bkt=BKTParams(p_slip=0.15),  # long computations: arithmetic slips are common even when known
    ),
)  # fmt: skip
