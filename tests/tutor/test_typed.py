"""What the learner typed is shown as typed: typed_latex never works anything out (issue 13 §5)."""

from __future__ import annotations

import pytest
import sympy

from tutor.builders import Decimal
from tutor.parse import MathSyntaxError, parse_math, typed_latex, typed_tree
from tutor.typed import typed_text_of


@pytest.mark.parametrize(
    ("typed", "latex"),
    [
        ("42 + 8", "42 + 8"),
        ("sqrt(20)", r"\sqrt{20}"),
        ("x^3·x^3", "x^{3} x^{3}"),
        ("6/6", r"\frac{6}{6}"),
        ("\\frac{6}{8}", r"\frac{6}{8}"),
        ("8 ÷ 2", r"\frac{8}{2}"),
        ("5 - 3", "5 - 3"),
        ("x - -3", r"x - \left(-3\right)"),
        ("x - (-3)", r"x - \left(-3\right)"),
        ("3 - (2 - 1)", r"3 - \left(2 - 1\right)"),
        ("2*3*4", r"2 \cdot 3 \cdot 4"),
        ("x*3", r"x \cdot 3"),
        ("2 * -3", r"2 \cdot \left(-3\right)"),
        ("-3/4", r"-\frac{3}{4}"),
        ("0.50", "0.50"),
        ("1.5x", "1.5 x"),
        ("(2^3)^2", r"\left(2^{3}\right)^{2}"),
        ("x^(1/2)", r"x^{\frac{1}{2}}"),
        ("\\sqrt[3]{8}", r"\sqrt[3]{8}"),
        ("2(x+1)", r"2 \left(x + 1\right)"),
        ("x^2 - x - x", "x^{2} - x - x"),
        ("2x + 3 = 7", "2 x + 3 = 7"),
        ("x = 3 ± sqrt(2)", r"x = 3 \pm \sqrt{2}"),
        ("x ∓ 1", r"x \mp 1"),
        ("x = 2 or x = -2", r"x = 2 \text{ or } x = -2"),
        ("x = (-b ± sqrt(b^2-4ac))/(2a)", r"x = \frac{- b \pm \sqrt{b^{2} - 4 a c}}{2 a}"),
        ("log(x)", r"\log_{10}\left(x\right)"),
        ("1 < x < 2.5", "1 < x < 2.5"),
        ("1 <= x < 5", r"1 \leq x < 5"),
        ("[0.5, 1)", r"\left[0.5, 1\right)"),
        ("(1, 3) ∪ (2, 5)", r"\left(1, 3\right) \cup \left(2, 5\right)"),  # not merged into (1, 5)
        ("(-oo, 0.5) ∪ (1, oo)", r"\left(-\infty, 0.5\right) \cup \left(1, \infty\right)"),
        ("ln(x)", r"\ln\left(x\right)"),
    ],
)
def test_typed_latex_shows_exactly_what_was_typed(typed: str, latex: str) -> None:
    assert typed_latex(typed) == latex


@pytest.mark.parametrize("text", ["42 + 8", "sqrt(20)", "x^3·x^3", "6/6", "2(x+1)", "0.50 + 1/4"])
def test_the_typed_tree_has_the_value_of_the_parsed_one(text: str) -> None:
    tree = typed_tree(text)
    value = tree.replace(lambda node: isinstance(node, Decimal), lambda node: node.value).doit()
    assert sympy.simplify(value - parse_math(text)) == 0


@pytest.mark.parametrize("text", ["2x = = 8", "((", "x +* 3", "hello world", "", "1/0"])
def test_typed_latex_refuses_what_is_not_math(text: str) -> None:
    with pytest.raises(MathSyntaxError):
        typed_latex(text)


def test_a_decimal_keeps_its_digits_and_its_exact_value() -> None:
    half = typed_tree("0.50")
    assert isinstance(half, Decimal) and half.places == 2 and half.value == sympy.Rational(1, 2)


def test_plain_text_is_in_learner_notation() -> None:
    assert typed_text_of(typed_tree("2x - 3/2 = 4")) == "2x - 3/2 = 4"
    assert typed_text_of(2 * sympy.Symbol("x")) == "2x"


def test_a_long_chain_does_not_nest_past_python_recursion() -> None:
    assert typed_latex("1" + "+1" * 240).count("+") == 240
    assert typed_latex("π" * 400).count(r"\pi") == 400
