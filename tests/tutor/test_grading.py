"""grade_output grades model output as Math-Verify does, in the checking pool, without eval on model text."""

from __future__ import annotations

from collections.abc import Iterator

import math_verify.parser
import pytest

from tests.tutor.grading_cases import ALL_CASES, Case
from tutor.grading import DeadlineExceeded, grade_output, output_matches_gold
from tutor.parse import MathSyntaxError, parse_math
from tutor.verify import warm_up

GENEROUS_SECONDS = 60.0  # the verdicts below must not depend on how busy the machine is
CASES: list[tuple[str, Case]] = [(group, case) for group, cases in ALL_CASES.items() for case in cases]


@pytest.fixture(scope="module", autouse=True)
def workers() -> Iterator[None]:
    warm_up()
    yield


@pytest.mark.slow
def test_the_grader_agrees_with_math_verifys_expectations() -> None:
    """Every behaviour of Math-Verify's own suite, in our own cases: at least 95% the same verdict."""
    assert len(CASES) >= 230
    disagreements = [
        f"{group}: {text[-80:]!r} against {gold!r} should be {expected}"
        for group, (text, gold, expected) in CASES
        if grade_output(text, gold, seconds=GENEROUS_SECONDS) is not expected
    ]
    agreement = 1 - len(disagreements) / len(CASES)
    assert agreement >= 0.95, f"{agreement:.1%} agreement; disagreements:\n" + "\n".join(disagreements)


@pytest.mark.parametrize(
    ("text", "gold"),
    [
        (r"\boxed{\$36}", r"\$36"),  # an escaped dollar is not a math delimiter
        (r"$\boxed{-2,1}.$", "-2,1"),  # a bare list of answers, not a decimal comma
        (r"\boxed{2500}", "2,500"),  # a bare number with a thousands separator
        (r"so \boxed{p - q}", "p - q"),  # bare LaTeX, as MATH gives its answers
        (r"\boxed{\left( 3, \frac{\pi}{2} \right)}", r"\left( 3, \frac{\pi}{2} \right)"),
    ],
)
def test_gold_answers_are_read_as_datasets_write_them(text: str, gold: str) -> None:
    assert grade_output(text, gold, seconds=GENEROUS_SECONDS) is True


def test_a_grade_that_runs_out_of_time_raises_instead_of_giving_a_verdict() -> None:
    with pytest.raises(DeadlineExceeded):
        grade_output(r"\boxed{9^{9^{9^{9}}}}", "1", seconds=0.5)
    assert grade_output(r"\boxed{2}", "2", seconds=GENEROUS_SECONDS) is True  # the pool replaced its worker


@pytest.mark.parametrize("value", [None, 3, b"\\boxed{3}", ["3"]])
def test_text_that_is_not_a_string_is_not_correct(value: object) -> None:
    assert grade_output(value, "3") is False  # type: ignore[arg-type]
    assert grade_output("3", value) is False  # type: ignore[arg-type]


EXPRESSION_TRAPS = [
    "The answer is 4 + 9 + and then 13.",  # a fragment the plain path would hand over
    "We get (3^5 so the answer is 243.",
    "9^9^9^9 is far too big; the answer is 7.",
    "2 (3/4) * P(A) = 1/2, so P(A) = 2/3.",
    "The answer is 3/4.",
    "Final answer: 2 + 3 * 4",
]


@pytest.mark.slow
def test_the_plain_expression_path_only_evaluates_text_the_tutor_parser_accepts(monkeypatch) -> None:
    """Math-Verify's plain path calls SymPy's parse_expr (eval); it may only see text tutor.parse reads."""
    handed_over: list[str] = []
    real_parse_expr = math_verify.parser.parse_expr

    def recording_parse_expr(text: str, *args, **kwargs):
        handed_over.append(text)
        return real_parse_expr(text, *args, **kwargs)

    monkeypatch.setattr(math_verify.parser, "parse_expr", recording_parse_expr)
    math_verify.parser.parse_expr_cached.cache_clear()
    for text in EXPRESSION_TRAPS + [text for _, (text, _, _) in CASES]:
        output_matches_gold(text, "7")
    assert handed_over, "the plain-expression path was never used, so this test shows nothing"
    for text in handed_over:
        try:
            parse_math(text)
        except MathSyntaxError as error:
            pytest.fail(f"parse_expr was given {text!r}, which tutor.parse refuses: {error}")


def test_an_answer_in_plain_words_is_still_found_when_other_text_cannot_be_read() -> None:
    assert output_matches_gold("We get (3^5 so the answer is $243$.", "243") is True
    assert output_matches_gold("The answer is 3/4.", "0.75") is True
