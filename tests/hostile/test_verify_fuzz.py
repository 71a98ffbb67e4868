"""check_step and check_answer under hostile input: a verdict or a MathSyntaxError, within the deadline."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hostile.corpus import CODE_INJECTION, RESOURCE_BOMBS
from tests.hostile.strategies import ANY_INPUT, NEAR_VALID_MATH
from tutor import checking
from tutor.verify import AnswerVerdict, MathSyntaxError, StepVerdict, check_answer, check_step, warm_up

SECONDS = 1.0  # the CPU-time budget of each check
SLACK = 0.5  # CPU seconds: the timer's granularity and the reply
CALLER_SECONDS = 2.0  # CPU seconds the caller may spend parsing before the check is sent
STATUSES = {"equivalent", "implied", "invalid", "unverifiable"}


@pytest.fixture(scope="module", autouse=True)
def workers() -> Iterator[None]:
    warm_up()
    yield


def bounded(call: Callable[[], Any]) -> Any:
    """The verdict of ``call``, or None for a clear MathSyntaxError; no other outcome and no overrun.

    The budget is CPU time, so it is measured as CPU time: on a busy machine the same check takes longer
    by the clock, and that must not change its verdict."""
    checking_started, caller_started = checking.pool().cpu_seconds(), time.process_time()
    try:
        verdict = call()
    except MathSyntaxError as error:
        assert str(error).strip()
        verdict = None
    used = checking.pool().cpu_seconds() - checking_started
    assert used < SECONDS + SLACK, f"the check used {used:.1f} s of CPU"
    caller = time.process_time() - caller_started
    assert caller < CALLER_SECONDS, f"the caller used {caller:.1f} s of CPU"
    if isinstance(verdict, StepVerdict):
        assert verdict.status in STATUSES and verdict.message.strip()
    elif verdict is not None:
        assert isinstance(verdict, AnswerVerdict) and isinstance(verdict.correct, bool) and verdict.message
    return verdict


def test_a_step_that_cannot_be_checked_in_time_is_unverifiable() -> None:
    verdict = bounded(lambda: check_step("(x+y+z)^200 = x", "x = 2", seconds=SECONDS))
    assert verdict.status == "unverifiable" and "too long" in verdict.message
    assert check_step("2x + 3 = 7", "x = 2").status == "equivalent"  # the pool replaced its worker


def test_an_answer_that_cannot_be_checked_in_time_is_not_marked_correct() -> None:
    verdict = bounded(lambda: check_answer("exp(exp(exp(exp(exp(x)))))", "x = 2", seconds=SECONDS))
    assert verdict.correct is False and "in time" in verdict.message
    assert check_answer("x = 2", "2").correct


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        (r"(\left(11/11\right), 9-3)", "sqrt(a)!!!! >= d/dx({0.5, 00})"),
        (r"\left(30.418\right) == {1, y}!", "|1|"),
    ],
)
def test_inputs_that_crashed_sympy_get_a_verdict(submitted: str, expected: str) -> None:
    """Found by bench/hostile_inputs.py: these raised AttributeError from inside SymPy's solveset."""
    assert bounded(lambda: check_answer(submitted, expected, seconds=SECONDS)).correct is False
    bounded(lambda: check_step(submitted, expected, seconds=SECONDS))


@pytest.mark.parametrize("text", CODE_INJECTION + RESOURCE_BOMBS[:40])
def test_corpus_steps_and_answers_are_bounded(text: str) -> None:
    bounded(lambda: check_step(text, "x = 2", seconds=SECONDS))
    bounded(lambda: check_step("x^2 = 4", text, seconds=SECONDS))
    verdict = bounded(lambda: check_answer(text, "2", seconds=SECONDS))
    assert verdict.correct is False


@settings(settings.get_profile("hostile"), max_examples=60)
@given(st.one_of(NEAR_VALID_MATH, ANY_INPUT), NEAR_VALID_MATH)
def test_random_steps_get_a_verdict_or_a_clear_error(before: str, after: str) -> None:
    bounded(lambda: check_step(before, after, seconds=SECONDS))


@settings(settings.get_profile("hostile"), max_examples=60)
@given(ANY_INPUT, NEAR_VALID_MATH)
def test_random_answers_get_a_verdict(submitted: str, expected: str) -> None:
    bounded(lambda: check_answer(submitted, expected, seconds=SECONDS))
