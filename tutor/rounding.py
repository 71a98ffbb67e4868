"""Rounded answers (``decimal:N``, ``sigfigs:N``): right when each typed number is the expected value rounded.

A rounded answer is not equal to the exact one (``1.41`` is not ``√2``), so it is compared after rounding
the expected value half up to the precision asked for; a right value typed to another precision is named as
such ("1.4 is not given to 2 decimal places").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal as Exact

import sympy

from tutor.builders import Decimal
from tutor.forms import Form, statements_of, value_of
from tutor.typed import split_sign, typed_text_of


def rounding_failure(tree: sympy.Basic, expected: list[sympy.Expr], form: Form) -> tuple[bool, str | None]:
    """(right value, what is wrong with how it is written) for ``decimal:N`` and ``sigfigs:N``.

    Each typed number must be one of the expected values rounded half up to the asked precision. A value
    that is right to the precision it was typed in, but not the precision asked for, is named as such.
    """
    typed = _typed_numbers(tree)
    if typed is None or len(typed) != len(expected):
        return False, None
    remaining, failure = list(expected), None
    for negative, number in typed:
        value = -value_of(number) if negative else value_of(number)
        match = next((r for r in remaining if _rounded(r, form.kind, form.digits) == value), None)
        if match is None or not _precise(number, form):
            typed_precision = _precision(number, form.kind)
            match = next((r for r in remaining if _rounded(r, form.kind, typed_precision) == value), match)
            if match is None:
                return False, None
            unit = "decimal places" if form.kind == "decimal" else "significant figures"
            shown = f"{'-' * negative}{typed_text_of(number)}"
            failure = failure or f"{shown} is not given to {form.digits} {unit}"
        remaining.remove(match)
    return True, failure


def _typed_numbers(tree: sympy.Basic) -> list[tuple[bool, sympy.Basic]] | None:
    """The numbers typed as the answer: ``x = -1.41 or x = 1.41`` is ``[(True, 1.41), (False, 1.41)]``."""
    statements = statements_of(tree)
    if statements is not None:
        if not all(isinstance(s, sympy.Eq) for s in statements):
            return None
        values = [s.rhs if isinstance(s.lhs, sympy.Symbol) else s.lhs for s in statements]
    elif isinstance(tree, sympy.FiniteSet):
        values = list(tree.args)
    else:
        values = [tree]
    numbers = []
    for value in values:
        sign, body = split_sign(value)
        if sign not in ("+", "-") or not isinstance(body, Decimal | sympy.Integer):
            return None
        numbers.append((sign == "-", body))
    return numbers


def _rounded(value: sympy.Expr, kind: str, digits: int) -> sympy.Rational:
    """``value`` rounded half up to ``digits`` decimal places (``decimal``) or significant figures."""
    exact = Exact(str(sympy.N(value, 60)))
    if kind == "sigfigs":
        if exact == 0:
            return sympy.Integer(0)
        digits = digits - 1 - exact.adjusted()
    return sympy.Rational(str(exact.quantize(Exact(1).scaleb(-digits), rounding=ROUND_HALF_UP)))


def _precision(number: sympy.Basic, kind: str) -> int:
    """The places, or the significant figures, a typed number shows."""
    text = number.text if isinstance(number, Decimal) else str(number)
    if kind == "decimal":
        return number.places if isinstance(number, Decimal) else 0
    digits = text.replace(".", "").lstrip("0")
    return len(digits) if "." in text else len(digits.rstrip("0")) or 1


def _precise(number: sympy.Basic, form: Form) -> bool:
    if form.kind == "decimal":
        return _precision(number, "decimal") == form.digits
    return _has_figures(number, form.digits)


def _has_figures(number: sympy.Basic, figures: int) -> bool:
    """Whether a typed number shows ``figures`` significant figures (``1200`` may show 2, 3 or 4)."""
    text = number.text if isinstance(number, Decimal) else str(number)
    digits = text.replace(".", "").lstrip("0")
    if "." in text:
        return len(digits) == figures
    return len(digits.rstrip("0")) <= figures <= len(digits)
