"""Real solution sets of parsed statements, and plain-text descriptions of them."""

from __future__ import annotations

import sympy
from sympy.solvers.inequalities import solve_poly_inequality

UNSETTLED = (sympy.ConditionSet, sympy.ImageSet, sympy.Complement)


class UnsolvableError(ValueError):
    """SymPy could not describe the solutions exactly."""


def is_statement(value: sympy.Basic) -> bool:
    """Relations, alternatives, systems and sets all have solution sets; plain expressions do not."""
    return isinstance(value, sympy.Rel | sympy.Or | sympy.And | sympy.Set | sympy.logic.boolalg.BooleanAtom)


def variables_of(*values: sympy.Basic) -> list[sympy.Symbol]:
    names = set().union(*(value.free_symbols for value in values))
    return sorted(names, key=lambda symbol: symbol.name)


def solution_set(statement: sympy.Basic, variable: sympy.Symbol) -> sympy.Set:
    """Every real value of ``variable`` that makes ``statement`` true."""
    if isinstance(statement, sympy.Or):
        result = sympy.Union(*(solution_set(arg, variable) for arg in statement.args))
    elif isinstance(statement, sympy.And):
        result = sympy.Intersection(*(solution_set(arg, variable) for arg in statement.args))
    elif isinstance(statement, sympy.Set):
        result = sympy.Intersection(statement, sympy.S.Reals)
    elif statement is sympy.true or statement is sympy.false:
        result = sympy.S.Reals if statement is sympy.true else sympy.S.EmptySet
    elif isinstance(statement, sympy.Rel):
        result = _polynomial_solutions(statement, variable)
        if result is None:
            result = sympy.solveset(statement, variable, sympy.S.Reals)
    else:
        raise UnsolvableError(f"{statement} is not an equation or inequality")
    if not is_settled(result):
        raise UnsolvableError(f"the solutions of {statement} could not be found exactly")
    return result


def _polynomial_solutions(relation: sympy.Rel, variable: sympy.Symbol) -> sympy.Set | None:
    """The exact solutions of a linear or quadratic relation with rational coefficients, else None.

    ``solveset`` reaches the same sets through its general machinery (periodicity checks, simplify),
    which costs ten to a hundred times more on the relations learners write most.
    """
    difference_ = relation.lhs - relation.rhs
    if not difference_.is_polynomial(variable):
        return None
    polynomial = sympy.Poly(difference_, variable)
    if not (polynomial.domain.is_ZZ or polynomial.domain.is_QQ) or polynomial.degree() > 2:
        return None
    return sympy.Union(*solve_poly_inequality(polynomial, relation.rel_op))


def is_settled(result: sympy.Set) -> bool:
    return not any(result.has(kind) for kind in UNSETTLED) and not isinstance(result, UNSETTLED)


def difference(first: sympy.Set, second: sympy.Set) -> sympy.Set:
    """``first`` minus ``second``, insisting that SymPy could work it out."""
    result = sympy.Complement(first, second)
    if isinstance(result, sympy.Complement):
        raise UnsolvableError("could not compare the solution sets")
    return result


def describe(solutions: sympy.Set, variable: sympy.Symbol) -> list[str]:
    """Plain-text pieces such as ``x = 2`` or ``x in (1, 3]`` for messages and ``lost``/``extra``."""
    if solutions is sympy.S.EmptySet:
        return []
    if isinstance(solutions, sympy.FiniteSet):
        return [f"{variable} = {value}" for value in sorted(solutions, key=sympy.default_sort_key)]
    if isinstance(solutions, sympy.Union):
        return [piece for part in solutions.args for piece in describe(part, variable)]
    return [f"{variable} in {_interval_text(solutions)}"]


def _interval_text(solutions: sympy.Set) -> str:
    if isinstance(solutions, sympy.Interval):
        left = "(" if solutions.left_open else "["
        right = ")" if solutions.right_open else "]"
        return f"{left}{solutions.start}, {solutions.end}{right}"
    return str(solutions)
