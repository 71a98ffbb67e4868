"""The answer-form rules, one table per form, and check_answer naming the rule a right value breaks."""

from __future__ import annotations

import pytest

from tutor.forms import Form, FormError, form_failure, parse_form
from tutor.parse import typed_tree
from tutor.verify import check_answer

SECONDS = 10.0  # a generous budget: on a loaded machine a timeout would read as "couldn't check"


def failure(text: str, form: str) -> str | None:
    return form_failure(typed_tree(text), parse_form(form))


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("3/4", None),
        ("6/8", "6/8 is not in lowest terms"),
        ("4/2", "4/2 can still be worked out"),
        ("5/1", "still divides by 1"),
        ("42 + 8", "arithmetic to do in 42 + 8"),
        ("2^3", "arithmetic to do in 2^3"),
        ("2·3x", "arithmetic to do"),
        ("--3", "two minus signs"),
        ("2sqrt(2)", None),
        ("sqrt(8)", "8 has the square factor 4"),
        ("sqrt(16)", "sqrt(16) can still be worked out"),
        ("sqrt(2)·sqrt(3)", "square roots"),
        ("1/sqrt(2)", "denominator of 1/sqrt(2) still has a square root"),
        ("sqrt(2)/2", None),
        ("2 + sqrt(3)", None),
        ("sqrt(3) + 2sqrt(3)", "like terms are not collected"),
        ("x + x", "like terms are not collected in x + x"),
        ("x/2 + x/3", "like terms"),
        ("x^3·x^3", "powers of x"),
        ("x^6", None),
        ("(x^2)^3", "powers in (x^2)^3"),
        ("(2x)^3", "not applied to each factor"),
        ("x^0", "x^0 can still be simplified"),
        ("x^1", "x^1 can still be simplified"),
        ("x^-2", "positive power"),
        ("1/x^2", None),
        ("x + 0", "0 to drop"),
        ("(x^2 - 9)/(x + 3)", "can still be cancelled"),
        ("2x/4", "cancelled by 2"),
        ("(x - 3)/(x + 2)", None),
        ("3/(x - 1) + 2/(x - 2)", "not combined into one"),
        ("6(2x + 1)^2", None),
        ("0.75", None),
    ],
)
def test_simplified(typed: str, rule: str | None) -> None:
    found = failure(typed, "simplified")
    assert found == rule if rule is None else rule in (found or ""), found


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("x^2 - 2x", None),
        ("-2x + x^2", None),
        ("x^2 - x - x", "like terms are not collected in x^2 - x - x"),
        ("x(x - 2)", "brackets in x(x - 2) are not multiplied out"),
        ("(x + 1)^2", "brackets in (x + 1)^2"),
        ("-(x + 1)", "brackets in -(x + 1)"),
        ("(x + 1)/3", None),
        ("x^2 + 5x + 2·3", "arithmetic"),
    ],
)
def test_expanded(typed: str, rule: str | None) -> None:
    found = failure(typed, "expanded")
    assert found == rule if rule is None else rule in (found or ""), found


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("2(x - 2)(x + 2)", None),
        ("-(x - 2)(x + 3)", None),
        ("x(x + 1)", None),
        ("3x(x - 2)", None),
        ("(x - 2)^2", None),
        ("x^2 + 1", None),
        ("2(x^2 - 4)", "x^2 - 4 can still be factored"),
        ("2x + 4", "2x + 4 still has the common factor 2"),
        ("(2x + 4)(x - 1)", "common factor 2"),
        ("x^2 - 4x + 4", "can still be factored"),
        ("(x - 1/2)(x + 1)", "not factored over the integers"),
        ("x = 2", "not a single expression"),
    ],
)
def test_factored(typed: str, rule: str | None) -> None:
    found = failure(typed, "factored")
    assert found == rule if rule is None else rule in (found or ""), found


@pytest.mark.parametrize(
    ("typed", "form", "rule"),
    [
        ("x = 3", "solved:x", None),
        ("3 = x", "solved:x", None),
        ("3", "solved:x", None),
        ("x = 2 or x = -2", "solved:x", None),
        ("x = 3 ± sqrt(2)", "solved:x", None),
        ("x > 3", "solved:x", None),
        ("2x = 6", "solved:x", "x is not on its own"),
        ("x = 12/4", "solved:x", "12/4 can still be worked out"),
        ("x = 6 - x", "solved:x", "still has x in it"),
        ("y = 2x", "solved:x", "not on its own"),
        ("t = 5", "solved:t", None),
        ("x = 6, y = 10", "solved:x,y", None),
        ("x = 6 - y, y = 4", "solved:x,y", "still has y"),
        ("x = 6", "solved:x,y", "does not say what y is"),
        ("(3, oo)", "interval", None),
        ("[1, 2) ∪ (3, 4]", "interval", None),
        ("x > 3", "interval", "interval notation"),
        ("{1, 2}", "set", None),
        ("x = 1 or x = 2", "set", "as a set"),
    ],
)
def test_solved_interval_and_set(typed: str, form: str, rule: str | None) -> None:
    found = failure(typed, form)
    assert found == rule if rule is None else rule in (found or ""), found


@pytest.mark.parametrize(
    ("spec", "form"),
    [
        ("equivalent", Form()),
        ("simplified", Form("simplified")),
        ("solved:x", Form("solved", variables=("x",))),
        ("solved: x, y", Form("solved", variables=("x", "y"))),
        ("decimal:2", Form("decimal", digits=2)),
        ("sigfigs:3", Form("sigfigs", digits=3)),
    ],
)
def test_form_specs_read_and_print_back(spec: str, form: Form) -> None:
    assert parse_form(spec) == form
    assert parse_form(str(form)) == form


@pytest.mark.parametrize("spec", ["", "neat", "solved", "solved:2x", "decimal", "decimal:two", "sigfigs:0",
                                  "simplified:3", "decimal:99"])  # fmt: skip
def test_unknown_form_specs_are_refused_clearly(spec: str) -> None:
    with pytest.raises(FormError):
        parse_form(spec)


@pytest.mark.parametrize(
    ("submitted", "expected", "form", "message"),
    [
        ("6/8", "3/4", "simplified", "Equivalent, but 6/8 is not in lowest terms."),
        ("x^2 - x - x", "x^2 - 2x", "expanded", "Equivalent, but like terms are not collected in x^2"),
        ("x(x - 2)", "x^2 - 2x", "expanded", "Equivalent, but the brackets in x(x - 2) are not multiplied"),
        ("\\sqrt{8}", "2sqrt(2)", "simplified", "Equivalent, but sqrt(8) is not simplified"),
        ("2(x^2 - 4)", "2(x - 2)(x + 2)", "factored", "Equivalent, but x^2 - 4 can still be factored."),
        ("2x = 6", "x = 3", "solved:x", "Equivalent, but x is not on its own on one side of 2x = 6."),
        ("1.4", "sqrt(2)", "decimal:2", "The value is right, but 1.4 is not given to 2 decimal places."),
        ("sqrt(2)", "sqrt(2)", "decimal:2", "The value is right, but it is not written as a decimal"),
    ],
)
def test_check_answer_names_the_form_rule(submitted: str, expected: str, form: str, message: str) -> None:
    verdict = check_answer(submitted, expected, form=form, seconds=SECONDS)
    assert not verdict.correct
    assert verdict.message.startswith(message) and verdict.form_failure


@pytest.mark.parametrize(
    ("submitted", "expected", "form"),
    [("3/4", "6/8", "simplified"), ("x^2 - 2x", "x(x - 2)", "expanded"), ("1.41", "sqrt(2)", "decimal:2"),
     ("x = 3", "x = 3", "solved:x"), ("2(x - 2)(x + 2)", "2x^2 - 8", "factored"),
     ("1.41", "sqrt(2)", "sigfigs:3")],
)  # fmt: skip
def test_check_answer_accepts_the_asked_form(submitted: str, expected: str, form: str) -> None:
    assert check_answer(submitted, expected, form=form, seconds=SECONDS).correct


def test_the_default_form_is_any_equivalent_form() -> None:
    assert check_answer("6/8", "3/4", seconds=SECONDS).correct
    assert not check_answer("5/8", "3/4", form="simplified", seconds=SECONDS).form_failure


def test_an_unknown_form_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown answer form"):
        check_answer("1", "1", form="tidy")
