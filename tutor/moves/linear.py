"""Solving linear equations, inequalities and 2x2 systems one balanced operation at a time."""

from __future__ import annotations

import re

import sympy

from tutor.moves import Move
from tutor.moves.reading import StateError, has_brackets, read_state
from tutor.notation import fmt, split_relation, x, y

_FLIPPED = {
    sympy.Eq: sympy.Eq,
    sympy.Lt: sympy.Gt,
    sympy.Gt: sympy.Lt,
    sympy.Le: sympy.Ge,
    sympy.Ge: sympy.Le,
}


def equation_move(text: str, state: sympy.Basic) -> Move | None:
    """The next balanced operation on a linear equation or inequality in one unknown."""
    if not isinstance(state, sympy.Rel) or type(state) not in _FLIPPED:
        raise StateError(f"{text!r} is not a single equation or inequality")
    relation = type(state)
    sides = split_relation(text)
    if sides and (has_brackets(sides[0]) or has_brackets(sides[2])):
        expanded = relation(sympy.expand(state.lhs), sympy.expand(state.rhs), evaluate=False)
        return (
            fmt(expanded),
            "expand the brackets",
            "Multiply each term inside the brackets by the factor outside.",
        )
    (variable,) = state.free_symbols or {x}
    (a, b), (c, _) = _linear(state.lhs, variable), _linear(state.rhs, variable)
    if a == 0 and c != 0:
        swapped = _FLIPPED[relation](state.rhs, state.lhs, evaluate=False)
        return (
            fmt(swapped),
            "swap the sides",
            f"Put the side with {variable} on the left; the meaning is unchanged.",
        )
    if c != 0:
        term = c * variable
        return (
            _apply(relation, state.lhs - term, state.rhs - term),
            f"subtract {fmt(term)} from both sides",
            (f"Gather the {variable}-terms on the left: take {fmt(term)} away on both sides."),
        )
    if b != 0:
        verb = "subtract" if b > 0 else "add"
        return (
            _apply(relation, state.lhs - b, state.rhs - b),
            f"{verb} {fmt(abs(b))} {'from' if b > 0 else 'to'} both sides",
            (f"Isolate the {variable}-term by undoing the {'+' if b > 0 else '-'} {fmt(abs(b))}."),
        )
    if a != 1:
        flip = relation if a > 0 else _FLIPPED[relation]
        action = f"divide both sides by {fmt(a)}" if a.is_integer else f"multiply both sides by {fmt(1 / a)}"
        why = f"Leave {variable} on its own by undoing the coefficient {fmt(a)}."
        if flip is not relation:
            why += " Multiplying or dividing by a negative number reverses the inequality."
        return _apply(flip, state.lhs / a, state.rhs / a), action, why
    return None


def _apply(relation: type, lhs: sympy.Expr, rhs: sympy.Expr) -> str:
    return fmt(relation(sympy.expand(lhs), sympy.expand(rhs), evaluate=False))


def _linear(side: sympy.Expr, variable: sympy.Symbol) -> tuple[sympy.Rational, sympy.Rational]:
    poly = sympy.Poly(sympy.expand(side), variable)
    if poly.degree() > 1 or not all(coefficient.is_Rational for coefficient in poly.all_coeffs()):
        raise StateError(f"{fmt(side)} is not linear in {variable}")
    coefficients = poly.all_coeffs()
    return (
        (coefficients[0], coefficients[1]) if len(coefficients) == 2 else (sympy.Integer(0), coefficients[0])
    )


def system_move(text: str, state: sympy.Basic) -> Move | None:
    """Elimination, then solving and substituting, on a system of two linear equations in x and y."""
    parts = [part.strip() for part in re.split(r"[,;\n]|\band\b", text)]
    if not isinstance(state, sympy.And) or len(parts) != 2:
        raise StateError(f"{text!r} is not a system of two equations")
    equations = [read_state(part) for part in parts]  # in the learner's order, which And does not keep
    if not all(isinstance(eq, sympy.Eq) for eq in equations):
        raise StateError(f"{text!r} is not a system of two equations")
    solved = {eq.lhs: eq.rhs for eq in equations if eq.lhs in (x, y) and eq.rhs.is_number}
    for index, eq in enumerate(equations):
        if len(eq.free_symbols) == 1 and eq.lhs not in solved:
            move = equation_move(parts[index], eq)
            if move:
                return _replace(equations, index, move[0]), f"{move[1]} in equation {index + 1}", move[2]
    if len(solved) == 2:
        return None
    for variable, number in solved.items():
        index = next(
            i for i, eq in enumerate(equations) if variable in eq.free_symbols and eq.lhs != variable
        )
        substituted = sympy.Eq(*(sympy.expand(side.subs(variable, number)) for side in equations[index].args))
        return (
            _replace(equations, index, fmt(substituted)),
            f"substitute {variable} = {fmt(number)}",
            (f"Now that {variable} is known, put its value into the other equation."),
        )
    return _eliminate(equations)


def _eliminate(equations: list[sympy.Eq]) -> Move:
    rows = [sympy.Poly(sympy.expand(eq.lhs - eq.rhs), x, y) for eq in equations]
    target = min((x, y), key=lambda v: sympy.ilcm(*(abs(row.coeff_monomial(v)) or 1 for row in rows)))
    a, b = (row.coeff_monomial(target) for row in rows)
    common = sympy.ilcm(abs(a), abs(b))
    m1, m2 = common / a, common / b
    combined = sympy.expand(m1 * rows[0].as_expr() - m2 * rows[1].as_expr())
    other = y if target == x else x
    constant = combined.subs(other, 0)
    result = fmt(sympy.Eq(combined - constant, -constant))
    keep = 1 if other == x else 0  # the equation in x goes first, so the answer reads "x = ..., y = ..."
    scale = "" if abs(m1) == 1 and abs(m2) == 1 else f" (after scaling them by {fmt(m1)} and {fmt(m2)})"
    return (
        _replace(equations, 1 - keep, result),
        f"eliminate {target}",
        (f"Subtract the equations{scale} so the {target}-terms cancel, leaving one equation in {other}."),
    )


def _replace(equations: list[sympy.Eq], index: int, text: str) -> str:
    parts = [fmt(eq) for eq in equations]
    parts[index] = text
    return ", ".join(parts)
