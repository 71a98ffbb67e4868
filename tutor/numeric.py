"""Randomized numeric comparison of expressions: it can show two expressions differ, never that they agree.

At a rational point a rational function has an exact rational value, so most differences are found
exactly; other values are compared at 30 digits with a relative tolerance, which is only ever used to
refute (see :mod:`tutor.equality`).
"""

from __future__ import annotations

import random

import sympy

SAMPLES = 6
ATTEMPTS = 30
DENOMINATORS = (7, 11, 1, 2)  # whole and half points reach powers such as (a^2)^(1/2) at a < 0
TOLERANCE = 1e-9
UNDEFINED = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)

Point = dict[sympy.Symbol, sympy.Rational]


def compare_numerically(first: sympy.Expr, second: sympy.Expr) -> tuple[bool | None, Point | None]:
    """``(True, None)`` when both sides agree at several random real points (a hint, not a proof),
    ``(False, point)`` at a clear difference, ``(None, None)`` when too few points give real values.

    Points where either side is undefined (a pole, a negative square root) are skipped: they say
    nothing about whether the two sides differ where both exist."""
    first, second = (side.doit() if side.has(sympy.Derivative) else side for side in (first, second))
    symbols = sorted(first.free_symbols | second.free_symbols, key=lambda symbol: symbol.name)
    generator = random.Random(20240611)  # fixed seed: the same question always gets the same verdict
    agreeing = 0
    for _ in range(ATTEMPTS):
        point = {s: _random_rational(generator) for s in symbols}
        different = _differ(first, second, point)
        if different is None:
            continue
        if different:
            return False, point
        agreeing += 1
        if agreeing >= (SAMPLES if symbols else 1):
            return True, None
    return None, None


def _random_rational(generator: random.Random) -> sympy.Rational:
    return sympy.Rational(generator.randint(-300, 300), generator.choice(DENOMINATORS))


def _differ(first: sympy.Expr, second: sympy.Expr, point: Point) -> bool | None:
    """Whether the sides differ at ``point``: exactly when both values are rational, else within
    the tolerance; None where either side is undefined or not real there."""
    exact = [_exact(side, point) for side in (first, second)]
    if exact[0] is None or exact[1] is None:
        return None
    if exact[0].is_Rational and exact[1].is_Rational:
        return exact[0] != exact[1]
    a, b = _value(exact[0]), _value(exact[1])
    if a is None or b is None:
        return None
    return abs(a - b) > TOLERANCE * max(1.0, abs(a), abs(b))


def _exact(expression: sympy.Expr, point: Point) -> sympy.Expr | None:
    try:
        value = expression.xreplace(point)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return None if value.has(*UNDEFINED) else value


def _value(exact: sympy.Expr) -> float | None:
    """The real value of an exactly substituted expression, or None where it is not real.

    Points are substituted exactly first (see ``_exact``): ``evalf(subs=...)`` turns a pole such as
    ``1/(x - 7)`` at ``x = 7`` into a huge finite number, which would read as a difference.
    """
    try:
        value = complex(exact.evalf(30))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if abs(value.imag) > TOLERANCE or value.real != value.real or abs(value.real) == float("inf"):
        return None
    return value.real
