"""Issue 13 §1: never call a wrong answer correct. Numbers may refute, never prove; letter case counts."""

from __future__ import annotations

import pytest
import sympy

from tutor.answers import answers_match
from tutor.equality import expressions_equal
from tutor.judge import judge_step
from tutor.parse import parse_math

x = sympy.Symbol("x", real=True)
DEGREE_13 = sympy.expand((x + 1) ** 6 * (x - 2) ** 7)


def typed(expression: sympy.Expr) -> str:
    return sympy.sstr(expression).replace("**", "^")


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        ("X", "x"),
        ("Y = 1 + X", "y = 1 + x"),
        ("99999999/10^8", "99999998/99999999"),
        (typed(DEGREE_13 + 1), "(x + 1)^6 (x - 2)^7"),
        ("x1 + x2", "3x"),
        ("log10(x)", "x"),
        # §2: a tolerance must never accept a different exact value
        ("4^{28}+1", "4^{28}"),
        ("10460353200+1", "10460353200"),
        (r"-\frac{1}{9^{11}}", r"\frac{1}{9^{11}}"),
        ("0", "1/9^{11}"),
        ("0.333", r"\frac{1}{3}"),
        ("3.14159", r"\pi"),
        ("1.41421356237", r"\sqrt{2}"),
    ],
)
def test_wrong_answers_are_never_correct(submitted, expected):
    assert answers_match(submitted, expected) is False


def test_a_power_of_a_power_is_not_proved_equal_without_a_sign_condition():
    assert answers_match("(a^b)^c", "a^(b c)") is not True
    assert judge_step("(a^b)^c", "a^(b c)").status != "equivalent"
    assert judge_step("(a^2)^(1/2)", "a").status == "invalid"  # a = -1: 1 against -1


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        ("x", "x"),
        ("99999998/99999999", "1 - 1/99999999"),
        ("(x + 1)^6 (x - 2)^7", typed(DEGREE_13)),
        ("4^{28}", "2^{56}"),
        ("x_1 + x_2", "x2 + x1"),
        ("log10(x)", r"\frac{\ln x}{\ln 10}"),
        (r"\sqrt{8}", r"2\sqrt{2}"),
        ("sin(x)^2 + cos(x)^2", "1"),
    ],
)
def test_equal_answers_are_proved(submitted, expected):
    assert answers_match(submitted, expected) is True


def test_letter_case_is_kept_in_names():
    assert parse_math("X") != parse_math("x")
    assert judge_step("X + X", "2x").status == "invalid"


def test_numbers_that_agree_to_many_digits_are_still_different():
    assert expressions_equal(parse_math("4^28 + 1"), parse_math("4^28")) is False
    assert expressions_equal(parse_math("2^(1/2)"), parse_math("1.4142135623730951")) is False


def test_equality_that_cannot_be_proved_is_unsettled_not_correct():
    """A difference that is tiny everywhere but not provably zero stays open (None)."""
    tiny = parse_math("exp(-100)")
    assert expressions_equal(tiny, sympy.Integer(0)) is None
    assert answers_match("exp(-100)", "0") is None


def test_a_degree_13_step_off_by_one_is_invalid():
    verdict = judge_step(typed(DEGREE_13 + 1), "(x+1)^6(x-2)^7")
    assert verdict.status == "invalid"


def test_x2_is_a_name_not_two_x():
    assert parse_math("x2") == sympy.Symbol("x_2", real=True)
    assert parse_math("x2") == parse_math("x_2") == parse_math("x₂")
    assert judge_step("x1 + x2", "3x").status == "invalid"


def test_log10_is_the_base_ten_logarithm():
    assert parse_math("log10(1000)") == 3
    assert parse_math("log10(x)") == sympy.log(x, 10)
