"""When two expressions are equal: proved symbolically or exactly, refuted by a counterexample, or open.

Numbers may refute but never prove: a difference of 1 in ``4^28 + 1`` against ``4^28``, or a sign error
in ``1/9^11``, is far below any floating-point tolerance. So ``True`` needs an exact argument (the
difference is the exact number 0, expands or simplifies to 0, or its minimal polynomial is ``t``), and
when none can be found the answer is ``None``: "couldn't check", which is never reported as correct.
"""

from __future__ import annotations

import sympy
from sympy.polys.polyerrors import NotAlgebraic, PolynomialError

from tutor.numeric import compare_numerically

INFINITIES = (sympy.oo, -sympy.oo, sympy.zoo)
NUMBER_DIGITS = 50  # a non-zero difference of two typed numbers shows up long before this
ZERO_BELOW = sympy.Rational(1, 10**40)


def expressions_equal(first: sympy.Expr, second: sympy.Expr) -> bool | None:
    """True when proved equal, False when shown different, None when neither can be settled."""
    if isinstance(first, sympy.MatrixBase) or isinstance(second, sympy.MatrixBase):
        return matrices_equal(first, second)
    if first.has(*INFINITIES) or second.has(*INFINITIES):
        return first == second  # oo - oo is undefined, so infinities are compared as written
    difference = first - second
    if difference == 0:
        return _guarded(first, second)
    if difference.is_number:
        return _number_is_zero(difference)
    expanded = sympy.expand(difference)
    if expanded == 0:
        return _guarded(first, second)
    if _is_rational_polynomial(expanded):
        return False  # an expanded polynomial with rational coefficients is zero only when it is 0
    numeric, _ = compare_numerically(first, second)
    if numeric is False:
        return False
    if sympy.simplify(difference) == 0:
        return True
    return None


def matrices_equal(first: sympy.Basic, second: sympy.Basic) -> bool | None:
    """Matrices are equal entry by entry; a matrix never equals a number."""
    if not (isinstance(first, sympy.MatrixBase) and isinstance(second, sympy.MatrixBase)):
        return False
    if first.shape != second.shape:
        return False
    verdicts = [expressions_equal(a, b) for a, b in zip(first, second, strict=True)]
    if False in verdicts:
        return False
    return None if None in verdicts else True


def _guarded(first: sympy.Expr, second: sympy.Expr) -> bool | None:
    """A symbolic zero that the numbers contradict is a SymPy slip, not a proof."""
    numeric, _ = compare_numerically(first, second)
    return None if numeric is False else True


def _number_is_zero(difference: sympy.Expr) -> bool | None:
    """Whether a constant difference is exactly zero: rationals exactly, other numbers by proof."""
    if difference.is_Rational:
        return difference == 0
    magnitude = abs(difference.evalf(NUMBER_DIGITS))
    if magnitude.is_Number and magnitude > ZERO_BELOW:
        return False
    if sympy.simplify(difference) == 0:
        return True
    try:
        return sympy.minimal_polynomial(difference, sympy.Dummy("t")).is_Symbol or None
    except (NotAlgebraic, NotImplementedError, ValueError):
        return None


def _is_rational_polynomial(expression: sympy.Expr) -> bool:
    symbols = expression.free_symbols
    if not symbols or not expression.is_polynomial(*symbols):
        return False
    try:
        domain = sympy.Poly(expression, *sorted(symbols, key=str)).domain
    except PolynomialError:
        return False
    return domain.is_ZZ or domain.is_QQ
