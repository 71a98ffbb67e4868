"""Rational expressions and derivatives: the steps where structure, not arithmetic, is the point."""

from __future__ import annotations

import sympy

from tutor.moves import Move
from tutor.moves.reading import StateError
from tutor.notation import fmt, x


def rational_move(text: str, state: sympy.Basic) -> Move | None:
    """Combine fractions over a common denominator, then cancel common factors."""
    if not isinstance(state, sympy.Expr):
        raise StateError(f"{text!r} is not an expression")
    terms = sympy.Add.make_args(state)
    if len(terms) > 1 and any(sympy.denom(term).has(x) for term in terms):
        numerator, denominator = sympy.fraction(sympy.together(state))
        combined = f"({fmt(sympy.expand(numerator))})/({fmt(sympy.factor(denominator))})"
        return (
            combined,
            "combine over a common denominator",
            ("Rewrite every fraction over the product of the denominators, then add the numerators."),
        )
    numerator, denominator = sympy.fraction(sympy.together(state))
    common = sympy.factor(sympy.gcd(numerator, denominator))
    if common.has(x):
        reduced = sympy.factor(sympy.cancel(state))
        return (
            fmt(reduced),
            f"cancel the common factor {fmt(common)}",
            (
                f"Factor the top and the bottom: both contain {fmt(common)}, which divides out "
                f"(for x where it is not zero)."
            ),
        )
    return None


def derivative_move(text: str, state: sympy.Basic) -> Move | None:
    """Differentiate with the rule the outermost structure calls for."""
    derivatives = list(state.atoms(sympy.Derivative))
    if not derivatives:
        return None
    if len(derivatives) > 1 or derivatives[0].variables != (x,):
        raise StateError(f"{text!r}: one derivative with respect to x is expected")
    inner = derivatives[0].expr
    result = state.subs(derivatives[0], tidy_derivative(inner, sympy.diff(inner, x)))
    rule, why = _rule(inner)
    return fmt(result), rule, why


def _rule(expr: sympy.Expr) -> tuple[str, str]:
    if expr.is_Add:
        return (
            "differentiate term by term",
            "The derivative of a sum is the sum of the derivatives; d/dx x^n = n x^(n-1).",
        )
    factors = [f for f in sympy.Mul.make_args(expr) if f.has(x)]
    if len(factors) > 1:
        first, second = factors[0], sympy.Mul(*factors[1:])
        return "product rule", f"(uv)' = u'v + uv' with u = {fmt(first)} and v = {fmt(second)}."
    if factors and factors[0].is_Pow and not factors[0].base.is_Symbol:
        base, power = factors[0].args
        return "chain rule", (
            f"Differentiate the outside power, ({fmt(base)})^{fmt(power)} -> {fmt(power)}({fmt(base)})"
            f"^{fmt(power - 1)}, then multiply by the derivative of the inside, {fmt(sympy.diff(base, x))}."
        )
    return "power rule", "d/dx x^n = n x^(n-1): bring the exponent down and lower it by one."


def tidy_derivative(expr: sympy.Expr, derivative: sympy.Expr) -> sympy.Expr:
    """Sums are differentiated term by term and stay expanded; products and powers are factored."""
    return sympy.expand(derivative) if expr.is_Add else sympy.factor_terms(derivative)
