"""extract_answer and normalise_answer on model-style output and MATH-500 answer spellings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.answers import answers_match, extract_answer, is_text_answer, normalise_answer, unreadable_answer

MATH500 = Path(__file__).resolve().parents[3] / "shared" / "data" / "math500.jsonl"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"So the total is \boxed{42}.", "42"),
        (r"First \boxed{1}, then finally \boxed{\frac{1}{2}}", r"\frac{1}{2}"),
        (r"\boxed{\frac{\sqrt{3}}{\left(2\right)}}", r"\frac{\sqrt{3}}{\left(2\right)}"),
        (r"\boxed{ x = 5 }", "x = 5"),
        ("Therefore, the final answer is $\\frac{14}{3}$. I hope it is correct.", r"\frac{14}{3}"),
        ("The answer is 7.", "7"),
        ("Final answer: x = 2", "x = 2"),
        (r"We find $x = 2$ and then $y = 3$", "y = 3"),
        ("I am not sure.", None),
        (r"\boxed{unclosed", None),
    ],
)
def test_extract_answer(text, expected):
    assert extract_answer(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"\dfrac{17}{50}", r"\frac{17}{50}"),
        (r"10,\!080", "10080"),
        ("58,500", "58500"),
        (r"90^\circ", "90"),
        (r"10\%", "10"),
        (r"\$18.90", "18.90"),
        (r"5.4 \text{ cents}", "5.4"),
        (r"15\mbox{ cm}^2", "15"),
        (r"\frac{270}7\text{ degrees}", r"\frac{270}7"),
        (r"137 \frac{1}{2}", r"137 + \frac{1}{2}"),
        (r"\boxed{3}", "3"),
        (r"\text{Evelyn}", r"\text{Evelyn}"),
    ],
)
def test_normalise_answer(text, expected):
    assert normalise_answer(text) == expected


def test_every_math500_answer_matches_itself_boxed_in_a_sentence():
    answers = [json.loads(line)["answer"] for line in MATH500.read_text().splitlines()]
    assert len(answers) == 500
    for answer in answers:
        model_output = f"Some reasoning here.\nThe final answer is $\\boxed{{{answer}}}$."
        assert extract_answer(model_output) == answer
        assert answers_match(model_output, answer), answer


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [(r"\frac{1}{3}", "0.333"), (r"\sqrt{2}", "2"), ("(2,1)", "(1,2)"), (r"\text{Navin}", r"\text{Evelyn}")],
)
def test_different_answers_do_not_match(submitted, expected):
    assert not answers_match(submitted, expected)


@pytest.mark.parametrize("answer", [
    "18", r"\left( 3, \frac{\pi}{2} \right)", "x=5", r"\text{Evelyn}", "east", r"\text{(C)}", "52_8",
    "4210_{5}",
])  # fmt: skip
def test_answers_the_checker_reads_as_math_or_as_text(answer):
    assert unreadable_answer(answer) is None


@pytest.mark.parametrize(("answer", "reason"), [
    ("", "there is no answer"), ("x + = 2", "not readable math"), (r"\frac{1}{", "not readable math"),
    ("((3", "not readable math"),
])  # fmt: skip
def test_an_answer_the_checker_cannot_read_says_why(answer, reason):
    assert reason in unreadable_answer(answer)


def test_every_math500_answer_is_readable_and_only_names_letters_and_bases_are_text():
    answers = [json.loads(line)["answer"] for line in MATH500.read_text().splitlines()]
    assert [a for a in answers if unreadable_answer(a)] == []
    texts = [a for a in answers if is_text_answer(a)]
    assert len(texts) == 14 and r"\text{Evelyn}" in texts and "52_8" in texts and "p - q" not in texts
