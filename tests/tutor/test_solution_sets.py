"""Solution sets and the numeric guard: the fast exact paths agree with SymPy's general ones."""

from __future__ import annotations

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.numeric import compare_numerically
from tutor.solution_sets import solution_set

x = sympy.Symbol("x", real=True)
RELATIONS = [sympy.Eq, sympy.Ne, sympy.Lt, sympy.Le, sympy.Gt, sympy.Ge]
coefficients = st.fractions(min_value=-12, max_value=12, max_denominator=4).map(sympy.Rational)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(RELATIONS),
    st.lists(coefficients, min_size=3, max_size=3),
    st.lists(coefficients, min_size=3, max_size=3),
)
def test_linear_and_quadratic_relations_match_solveset(relation, left, right):
    lhs = left[0] * x**2 + left[1] * x + left[2]
    rhs = right[0] * x**2 + right[1] * x + right[2]
    statement = relation(lhs, rhs)
    assert solution_set(statement, x) == sympy.solveset(statement, x, sympy.S.Reals)


def test_relations_outside_the_fast_path_are_still_solved():
    assert solution_set(sympy.Eq(1 / x, 2), x) == sympy.FiniteSet(sympy.Rational(1, 2))
    assert solution_set(sympy.Eq(x**3, 8), x) == sympy.FiniteSet(2)
    root_half = sympy.sqrt(2) / 2
    assert solution_set(sympy.Lt(sympy.sqrt(2) * x, 1), x) == sympy.Interval.open(-sympy.oo, root_half)


def test_poles_are_skipped_not_taken_as_differences():
    # The fixed sample points include x = 49/7 = 7, where both sides are undefined.
    assert compare_numerically(1 / (x - 7), 2 / (2 * x - 14)) == (True, None)
    assert compare_numerically(1 / (x - 7), 1 / (x - 7) + 1)[0] is False


def test_derivatives_are_compared_by_their_value():
    assert compare_numerically(sympy.Derivative(x**3, x), 3 * x**2) == (True, None)
    assert compare_numerically(sympy.Derivative(x**3, x), 3 * x**2 + 1)[0] is False


def test_points_where_only_one_side_is_defined_are_skipped():
    assert compare_numerically((x**2 - 49) / (x - 7), x + 7) == (True, None)
    assert compare_numerically(sympy.sqrt(x) ** 2, x) == (True, None)
