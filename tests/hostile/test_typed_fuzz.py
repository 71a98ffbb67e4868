"""typed_latex and the answer-form rules under hostile input: LaTeX or a MathSyntaxError, quickly, and the
form rules never crash on anything the parser accepts (they run on learners' answers)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings

from tests.hostile.corpus import all_strings
from tests.hostile.strategies import NEAR_VALID_MATH
from tutor.forms import form_failure, parse_form
from tutor.parse import MathSyntaxError, typed_latex, typed_tree

# The preview runs in the web process like parse_math (2 s there), and reads the text twice: evaluated, to
# refuse exactly what parse_math refuses, then as typed.
PREVIEW_SECONDS = 4.0
FORMS = [parse_form(spec) for spec in ("simplified", "expanded", "factored", "solved:x", "interval", "set")]


def show_or_refuse(text: str) -> None:
    started = time.perf_counter()
    try:
        latex = typed_latex(text)
    except MathSyntaxError as error:
        assert str(error).strip(), f"empty message for {text[:80]!r}"
        return
    assert isinstance(latex, str) and latex, text[:80]
    assert time.perf_counter() - started < PREVIEW_SECONDS, f"slow preview for {text[:80]!r}"
    tree = typed_tree(text)
    for form in FORMS:
        rule = form_failure(tree, form)
        assert rule is None or (isinstance(rule, str) and rule), (text[:80], form)


@pytest.mark.parametrize("text", all_strings(), ids=range(len(all_strings())))
def test_every_corpus_string_is_shown_as_typed_or_refused(text: str) -> None:
    show_or_refuse(text)


@settings(settings.get_profile("hostile"), max_examples=200)
@given(NEAR_VALID_MATH)
def test_near_valid_math_is_shown_as_typed_or_refused(text: str) -> None:
    show_or_refuse(text)
