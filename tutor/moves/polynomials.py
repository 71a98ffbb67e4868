"""Expanding, factoring and solving quadratics, one visible rewrite at a time."""

from __future__ import annotations

from tokenize import TokenError

import sympy

from tutor.moves import Move
from tutor.moves.reading import StateError, has_brackets
from tutor.notation import fmt, layout, split_relation, x


def expand_move(text: str, state: sympy.Basic) -> Move | None:
    """Multiply out the first product of brackets that is still there."""
    _require_expression(text, state)
    for term in sympy.Add.make_args(state):
        if sympy.expand(term) == term:
            continue
        brackets = [f for f in sympy.Mul.make_args(term) if f.is_Add or (f.is_Pow and f.base.is_Add)]
        pair = brackets[0] * brackets[1] if len(brackets) > 1 else term
        result = state - term + sympy.expand(pair) * (term / pair)
        return (
            fmt(result),
            f"multiply out {fmt(pair)}",
            ("Multiply every term of one bracket by every term of the other, then combine like terms."),
        )
    if has_brackets(text):
        return (
            fmt(state),
            "expand the brackets",
            "Multiply each term inside the brackets by the factor outside.",
        )
    return None


def factor_move(text: str, state: sympy.Basic) -> Move | None:
    """Take out the greatest common factor first, then factor what is left inside the brackets."""
    _require_expression(text, state)
    try:
        laid_out = layout(text)
    except (SyntaxError, TokenError) as error:  # e.g. a teacher's |(1 - i)^8|, not plain notation
        raise StateError(f"cannot read {text!r} as a polynomial") from error
    factors = [f.doit() for f in sympy.Mul.make_args(laid_out)]
    if len(factors) == 1:
        poly = sympy.Poly(state, x)
        common = poly.content() * x ** min(degree for (degree,) in poly.monoms())
        if poly.LC() < 0:
            common = -common
        if common != 1 and len(poly.terms()) > 1:
            inside = sympy.expand(state / common)
            return (
                f"{fmt(common)}({fmt(inside)})",
                f"take out the common factor {fmt(common)}",
                (f"Every term is divisible by {fmt(common)}; factoring it out leaves a simpler polynomial."),
            )
    for index, factor in enumerate(factors):
        if factor.is_Add and sympy.factor(factor) != factor:
            factors[index] = sympy.factor(factor)
            return fmt(sympy.Mul(*factors)), f"factor {fmt(factor)}", _factoring_hint(factor)
    return None


def _factoring_hint(poly: sympy.Expr) -> str:
    p = sympy.Poly(poly, x)
    if p.degree() == 2 and p.coeff_monomial(x) == 0:
        return "A difference of two squares: a^2 - b^2 = (a - b)(a + b)."
    if p.degree() == 2:
        a, b, c = p.all_coeffs()
        return f"Look for two numbers whose product is {fmt(a * c)} and whose sum is {fmt(b)}."
    return "Factor out what the terms share, then factor the quadratic that is left."


def quadratic_move(text: str, state: sympy.Basic, use_formula: bool) -> Move | None:
    """Standard form, then factor and use the zero product rule, or the quadratic formula."""
    if isinstance(state, sympy.Or):
        alternatives = [_solve_linear(alt) for alt in state.args]
        if all(alt == original for alt, original in zip(alternatives, state.args, strict=True)):
            return None
        return (
            fmt(sympy.Or(*alternatives)),
            "solve each equation",
            "Each small equation is a one- or two-step equation.",
        )
    if not isinstance(state, sympy.Eq):
        raise StateError(f"{text!r} is not an equation")
    lhs, rhs = state.lhs, state.rhs
    if lhs.is_Symbol and rhs.is_number:
        return None
    sides = split_relation(text)
    if rhs == 0 and lhs.is_Mul and sides and has_brackets(sides[0]):
        roots = [sympy.Eq(f, 0) for f in lhs.args if not f.is_number]
        if all(sympy.Poly(r.lhs, x).degree() == 1 for r in roots):
            return (
                _alternatives(roots),
                "zero product rule",
                "A product is zero only when one of its factors is zero.",
            )
    if rhs != 0:
        return (
            fmt(sympy.Eq(sympy.expand(lhs - rhs), 0)),
            "bring all terms to one side",
            ("Write the quadratic as ax^2 + bx + c = 0 before solving it."),
        )
    poly = sympy.Poly(lhs, x)
    if poly.degree() != 2:
        raise StateError(f"{text!r} is not a quadratic equation")
    common = poly.content() * (1 if poly.LC() > 0 else -1)
    if common != 1:
        return (
            fmt(sympy.Eq(sympy.expand(lhs / common), 0)),
            f"divide both sides by {fmt(common)}",
            ("Smaller coefficients make the quadratic easier to solve."),
        )
    factored = sympy.factor(lhs)
    if not use_formula and factored != lhs and not factored.is_Pow:
        return f"{fmt(factored)} = 0", "factor the left side", _factoring_hint(lhs)
    a, b, c = poly.all_coeffs()
    roots = sorted(set(sympy.solve(lhs, x)), key=float)
    discriminant = b**2 - 4 * a * c
    return (
        _alternatives([sympy.Eq(x, sympy.together(root)) for root in roots]),
        "use the quadratic formula",
        (
            f"x = (-b ± sqrt(b^2 - 4ac))/(2a) with a = {a}, b = {b}, c = {c}: "
            f"the discriminant is {discriminant}, "
            f"so x = ({fmt(-b)} ± sqrt({discriminant}))/{fmt(2 * a)}."
        ),
    )


def _solve_linear(equation: sympy.Basic) -> sympy.Basic:
    if not isinstance(equation, sympy.Eq) or sympy.Poly(equation.lhs - equation.rhs, x).degree() != 1:
        raise StateError(f"{fmt(equation)} is not a linear equation")
    if equation.lhs == x and equation.rhs.is_number:
        return equation
    return sympy.Eq(x, sympy.solve(equation, x)[0])


def _alternatives(equations: list[sympy.Basic]) -> str:
    return " or ".join(fmt(eq) for eq in equations) if len(equations) > 1 else fmt(equations[0])


def _require_expression(text: str, state: sympy.Basic) -> None:
    if not isinstance(state, sympy.Expr) or not state.free_symbols <= {x}:
        raise StateError(f"{text!r} is not an expression in x")
