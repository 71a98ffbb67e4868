"""Issue 13 §2: relations in several variables compare as relations, in steps and in answers."""

from __future__ import annotations

import pytest
import sympy
from sympy import And, Eq, Or

from tutor.answers import answers_match
from tutor.judge import judge_step
from tutor.parse import parse_math
from tutor.relations import counterexample, same_statement

x, y, a, b = sympy.symbols("x y a b", real=True)

SAME = [
    ("a < b", "b > a"),
    ("a <= b", "b >= a"),
    ("a*b = 0", "a = 0 or b = 0"),
    ("x >= 1 and x <= 1", "x = 1"),
    ("x + y >= 1 and x + y <= 1", "x + y = 1"),
    ("2a < 2b", "a < b"),
    ("-a < -b", "a > b"),
    ("x + y < 3", "x < 3 - y"),
    ("2y = 4x + 6", "y = 2x + 3"),
    ("(x = 1 or x = 2) and y = 3", "x = 1, y = 3 or x = 2, y = 3"),
]
DIFFERENT = [
    ("a < b", "a > b"),
    ("a < b", "a <= b"),
    ("-a < -b", "a < b"),
    ("a*b = 0", "a = 0"),
    ("x + y < 3", "x < 3 + y"),
    ("y = 2x + 3", "y = 2x + 4"),
    ("Y = 1 + X", "y = 1 + x"),
]


@pytest.mark.parametrize(("first", "second"), SAME)
def test_the_same_relation_written_differently_matches(first, second):
    assert answers_match(first, second) is True
    assert answers_match(second, first) is True


@pytest.mark.parametrize(("first", "second"), DIFFERENT)
def test_different_relations_do_not_match(first, second):
    assert answers_match(first, second) is False


@pytest.mark.parametrize(("before", "after"), [pair for pair in SAME if "," not in pair[1]])
def test_rewriting_a_relation_is_an_equivalent_step(before, after):
    assert judge_step(before, after).status == "equivalent"


@pytest.mark.parametrize(
    ("before", "after"),
    [("y = 2x + 3", "x = (y + 3)/2"), ("x + y < 3", "x < 3 + y"), ("a < b", "b < a"), ("A = l w", "l = A w")],
)
def test_wrong_rearrangements_are_invalid_not_unverifiable(before, after):
    assert judge_step(before, after).status == "invalid"


@pytest.mark.parametrize(
    ("before", "after"),
    [("y = 2x + 3", "x = (y - 3)/2"), ("A = l w", "l = A/w"), ("v = u + a t", "t = (v - u)/a")],
)
def test_literal_equations_solved_for_a_letter_are_equivalent(before, after):
    assert judge_step(before, after).status == "equivalent"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(x = 1 or x = 2) and y = 3", And(Or(Eq(x, 1), Eq(x, 2)), Eq(y, 3))),
        ("(x > 1 and x < 3) or x = 5", Or(And(x > 1, x < 3), Eq(x, 5))),
        ("[x < 0 or x > 2]", Or(x < 0, x > 2)),
        ("((a < b))", a < b),
    ],
)
def test_brackets_around_and_or_groups_parse(text, expected):
    assert parse_math(text) == expected


def test_same_statement_is_a_proof_and_counterexample_a_refutation():
    assert same_statement(parse_math("a*b = 0"), parse_math("b = 0 or a = 0"))
    assert not same_statement(parse_math("a < b"), parse_math("a <= b"))
    assert counterexample(parse_math("a < b"), parse_math("a <= b")) is None  # a < b implies a <= b
    point = counterexample(parse_math("a <= b"), parse_math("a < b"))
    assert point is not None and point[a] == point[b]
