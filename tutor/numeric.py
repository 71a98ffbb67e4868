"""Randomized numeric comparison of expressions: the guard behind every symbolic verdict."""

from __future__ import annotations

import random

import sympy

SAMPLES = 6
ATTEMPTS = 30
TOLERANCE = 1e-9
UNDEFINED = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)

Point = dict[sympy.Symbol, sympy.Rational]


def compare_numerically(first: sympy.Expr, second: sympy.Expr) -> tuple[bool | None, Point | None]:
    """``(True, None)`` when both sides agree at several random real points, ``(False, point)`` at a
    clear difference, ``(None, None)`` when too few points give real values to tell.

    Points where either side is undefined (a pole, a negative square root) are skipped: they say
    nothing about whether the two sides differ where both exist."""
    first, second = (side.doit() if side.has(sympy.Derivative) else side for side in (first, second))
    symbols = sorted(first.free_symbols | second.free_symbols, key=lambda symbol: symbol.name)
    generator = random.Random(20240611)  # fixed seed: the same question always gets the same verdict
    agreeing = 0
    for _ in range(ATTEMPTS):
        point = {s: sympy.Rational(generator.randint(-300, 300), generator.choice((7, 11))) for s in symbols}
        a, b = _value(first, point), _value(second, point)
        if a is None or b is None:
            continue
        if abs(a - b) > TOLERANCE * max(1.0, abs(a), abs(b)):
            return False, point
        agreeing += 1
        if agreeing >= (SAMPLES if symbols else 1):
            return True, None
    return None, None


def _value(expression: sympy.Expr, point: Point) -> float | None:
    """The real value at ``point``, or None where the expression is undefined or not real.

    The point is substituted exactly first: ``evalf(subs=...)`` turns a pole such as ``1/(x - 7)`` at
    ``x = 7`` into a huge finite number, which would read as a difference between equal expressions.
    """
    try:
        exact = expression.xreplace(point)
        if exact.has(*UNDEFINED):
            return None
        value = complex(exact.evalf(30))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if abs(value.imag) > TOLERANCE or value.real != value.real or abs(value.real) == float("inf"):
        return None
    return value.real
