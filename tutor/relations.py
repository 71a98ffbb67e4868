"""Statements in several variables compared as statements, where solution sets cannot be listed.

``a < b`` is ``b > a``, ``2y = 4x + 6`` is ``y = 2x + 3``, ``a·b = 0`` is ``a = 0 or b = 0`` and
``x + y >= 1 and x + y <= 1`` is ``x + y = 1``: each statement is rewritten as alternatives of
conditions ``f = 0``, ``f != 0``, ``f < 0`` or ``f <= 0``, and two statements are the same when their
conditions match up to a constant factor (positive for inequalities). That is a proof. A point where
one statement holds and the other does not is a refutation. Anything else stays open.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import sympy

from tutor.equality import expressions_equal

ATTEMPTS = 40


@dataclass(frozen=True)
class Condition:
    operator: str  # "=", "!=", "<" or "<="
    zero_form: sympy.Expr

    def same_as(self, other: Condition) -> bool:
        if self.operator != other.operator:
            return False
        if self.zero_form == 0 or other.zero_form == 0:
            return self.zero_form == other.zero_form
        ratio = sympy.cancel(self.zero_form / other.zero_form)
        if not ratio.is_number or ratio == 0 or ratio.has(sympy.zoo, sympy.nan):
            return False
        return bool(ratio.is_positive) if self.operator in {"<", "<="} else True


Alternatives = list[list[Condition]]  # "or" of "and"s


def same_statement(first: sympy.Basic, second: sympy.Basic) -> bool:
    """Whether the two statements are provably the same condition (see the module docstring)."""
    try:
        left, right = alternatives(first), alternatives(second)
    except (TypeError, ValueError, sympy.PolynomialError):
        return False
    return _covers(left, right) and _covers(right, left)


def alternatives(statement: sympy.Basic) -> Alternatives:
    """``statement`` as alternatives of conjunctions of conditions."""
    if isinstance(statement, sympy.Or):
        return [conjunction for arg in statement.args for conjunction in alternatives(arg)]
    if isinstance(statement, sympy.And):
        combined: Alternatives = [[]]
        for arg in statement.args:
            combined = [done + more for done in combined for more in alternatives(arg)]
        return [_tidy(conjunction) for conjunction in combined]
    if isinstance(statement, sympy.Rel):
        return _conditions(statement)
    raise TypeError(f"{statement} is not a relation")


def _conditions(relation: sympy.Rel) -> Alternatives:
    operator, lhs, rhs = relation.rel_op, relation.lhs, relation.rhs
    if operator in {">", ">="}:
        operator, lhs, rhs = operator.replace(">", "<"), rhs, lhs
    zero_form = sympy.together(lhs - rhs)
    if operator == "==":
        operator = "="
    if operator == "=":
        numerator, _ = sympy.fraction(zero_form)
        _, factors = sympy.factor_list(numerator)
        if len(factors) > 1:  # a·b = 0: a = 0 or b = 0 (where the statement is defined)
            return [[Condition("=", factor)] for factor, _ in factors]
    return [[Condition(operator, zero_form)]]


def _tidy(conjunction: list[Condition]) -> list[Condition]:
    """``f <= 0 and -f <= 0`` is ``f = 0``; repeated conditions count once."""
    tidy: list[Condition] = []
    for condition in conjunction:
        opposite = next(
            (other for other in tidy if other.operator == condition.operator == "<="
             and sympy.cancel(other.zero_form + condition.zero_form) == 0),
            None,
        )  # fmt: skip
        if opposite is not None:
            tidy.remove(opposite)
            tidy.append(Condition("=", condition.zero_form))
        elif not any(other.same_as(condition) for other in tidy):
            tidy.append(condition)
    return tidy


def _covers(first: Alternatives, second: Alternatives) -> bool:
    return all(any(_same_conjunction(a, b) for b in second) for a in first)


def _same_conjunction(first: list[Condition], second: list[Condition]) -> bool:
    return len(first) == len(second) and all(any(a.same_as(b) for b in second) for a in first)


def counterexample(first: sympy.Basic, second: sympy.Basic) -> dict[sympy.Symbol, sympy.Expr] | None:
    """A point where ``first`` is true and ``second`` false, if one is found: random points, and points
    on the boundary of each relation (random points almost never satisfy an equation)."""
    symbols = sorted(first.free_symbols | second.free_symbols, key=lambda symbol: symbol.name)
    generator = random.Random(20240611)
    boundaries = [point for relation in _relations(first, second) for point in _points_on(relation, symbols)]
    candidates = [*(_random_point(symbols, generator) for _ in range(ATTEMPTS)), *boundaries]
    for point in candidates:
        if _truth(first, point) is True and _truth(second, point) is False:
            return point
    return None


def _relations(*statements: sympy.Basic) -> list[sympy.Rel]:
    found = {relation for statement in statements for relation in statement.atoms(sympy.Rel)}
    return sorted(found, key=sympy.default_sort_key)


def _random_point(symbols: list[sympy.Symbol], generator: random.Random) -> dict[sympy.Symbol, sympy.Expr]:
    return {s: sympy.Rational(generator.randint(-40, 40), generator.choice((1, 2, 3))) for s in symbols}


def _points_on(statement: sympy.Rel, symbols: list[sympy.Symbol]) -> list[dict[sympy.Symbol, sympy.Expr]]:
    """A few points where the two sides of a relation are equal, found by solving for one letter."""
    if not statement.free_symbols:
        return []
    variable = sorted(statement.free_symbols, key=lambda symbol: symbol.name)[-1]
    solutions = _solved_for(sympy.Eq(statement.lhs, statement.rhs), variable) or []
    generator = random.Random(str(statement))
    points = []
    for solution in solutions[:2]:
        for _ in range(5):
            point = _random_point([s for s in symbols if s != variable], generator)
            point[variable] = solution.xreplace(point)
            points.append(point)
    return points


def _truth(statement: sympy.Basic, point: dict[sympy.Symbol, sympy.Expr]) -> bool | None:
    """Whether ``statement`` holds at ``point``; None where a side is undefined or not real there
    (``t = (v - u)/a`` says nothing at ``a = 0``)."""
    try:
        sides = [side.xreplace(point) for relation in statement.atoms(sympy.Rel) for side in relation.args]
        if any(side.has(sympy.zoo, sympy.nan, sympy.I) for side in sides):
            return None
        value = statement.xreplace(point)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return bool(value) if isinstance(value, sympy.logic.boolalg.BooleanAtom) else None


def compare_solved(first: sympy.Eq, second: sympy.Eq) -> tuple[list[str], list[str]] | None:
    """Two equations in several letters solved for the same letter (the one ``second`` is solved for,
    if any): the solutions only the first has and those only the second has, as text; None when
    either cannot be solved or a comparison cannot be settled."""
    shared = first.free_symbols & second.free_symbols
    if not shared:
        return None
    solved = [side for side in (second.lhs, first.lhs) if isinstance(side, sympy.Symbol) and side in shared]
    variable = solved[0] if solved else sorted(shared, key=lambda symbol: symbol.name)[0]
    left, right = _solved_for(first, variable), _solved_for(second, variable)
    if left is None or right is None:
        return None
    verdicts = {(i, j): expressions_equal(a, b) for i, a in enumerate(left) for j, b in enumerate(right)}
    only_left = [a for i, a in enumerate(left) if not any(verdicts[i, j] for j in range(len(right)))]
    only_right = [b for j, b in enumerate(right) if not any(verdicts[i, j] for i in range(len(left)))]
    if (only_left or only_right) and None in verdicts.values():
        return None
    return [f"{variable} = {a}" for a in only_left], [f"{variable} = {b}" for b in only_right]


def _solved_for(equation: sympy.Eq, variable: sympy.Symbol) -> list[sympy.Expr] | None:
    try:
        solutions = sympy.solve(equation, variable, dict=False)
    except (NotImplementedError, ValueError, TypeError):
        return None
    if not solutions or not all(isinstance(solution, sympy.Expr) for solution in solutions):
        return None
    return list(solutions)
