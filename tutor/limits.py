"""Cost limits for parsing learner input.

SymPy evaluates ``Integer ** Integer`` and ``factorial(n)`` eagerly, so a short string such as
``9^9^9^9`` could otherwise exhaust memory. Every size is checked *before* SymPy builds the value.
"""

from __future__ import annotations

import math

import sympy

MAX_INPUT_CHARS = 500
MAX_NESTING = 40
MAX_DIGITS = 60
MAX_EXPONENT = 1000
MAX_RESULT_DIGITS = 5000
MAX_FACTORIAL = 500
MAX_MATRIX_ENTRIES = 100
MAX_RADICAL_DIGITS = 500  # SymPy factors the numbers under a root: seconds for a few thousand digits


class LimitError(ValueError):
    """An input is too large to work with; the parser adds the position."""


def check_power(base: sympy.Basic, exponent: sympy.Basic) -> None:
    """Refuse powers whose exponent or exact value would be unreasonably large."""
    if not (isinstance(exponent, sympy.Number) and exponent.is_finite):
        return
    if abs(exponent) > MAX_EXPONENT:
        raise LimitError(f"the exponent {_short(exponent)} is too large (the limit is {MAX_EXPONENT})")
    if isinstance(base, sympy.Rational) and base not in (0, 1, -1):
        # SymPy writes (a/b)^(p/q) with a whole power of b of up to q - 1, so q counts like the exponent.
        spread = abs(float(exponent)) + (exponent.q if isinstance(exponent, sympy.Rational) else 1)
        digits = spread * math.log10(max(abs(base.p), abs(base.q)))
        if digits > (MAX_RESULT_DIGITS if exponent.is_integer else MAX_RADICAL_DIGITS):
            raise LimitError(f"the power {_short(base)}^{_short(exponent)} has too many digits to work with")


def check_factorial(argument: sympy.Basic) -> None:
    """Refuse factorials of large integers, which SymPy would compute digit by digit, and of non-integers:
    ``12.1!`` is a gamma value, and judging the sign of ``12.1!!`` runs mpmath for ever."""
    if argument.is_number and not argument.is_Integer:
        raise LimitError("a factorial needs a whole number, like 5!")
    if isinstance(argument, sympy.Number) and argument.is_finite and abs(argument) > MAX_FACTORIAL:
        raise LimitError(f"the factorial of {_short(argument)} is too large (the limit is {MAX_FACTORIAL}!)")


def check_matrix(rows: int, columns: int) -> None:
    if rows * columns > MAX_MATRIX_ENTRIES:
        raise LimitError(f"this matrix is too large (the limit is {MAX_MATRIX_ENTRIES} entries)")


def _short(value: sympy.Basic) -> str:
    text = str(value)
    return text if len(text) <= 20 else text[:8] + "…" + text[-8:]
