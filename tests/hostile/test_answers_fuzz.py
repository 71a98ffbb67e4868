"""extract_answer and normalise_answer run in the web process on model output: text or None, quickly."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hostile.corpus import all_strings
from tests.hostile.strategies import ANY_INPUT
from tutor.answers import extract_answer, normalise_answer

SECONDS = 2.0
OUTPUT_PIECES = [r"\boxed{", "}", "$", "answer is ", "\\", r"\fbox {", "\\$", "$$"]
MODEL_OUTPUT_TRAPS = [
    r"\boxed{" * 50_000,  # used to take quadratic time: each unclosed box was scanned to the end
    "}" * 100_000 + r"\boxed{1}",
    "$" * 100_001,
    "the answer is " * 50_000,
    "1 " + " " * 500_000 + r"\text{cm}",
    "1," * 300_000,
    r"\\$" * 100_000,
    "answer: $" + "x" * 1_000_000,
    r"The final answer is $\boxed{" + "(" * 100_000 + "}$",
]


def extract_and_normalise(text: str) -> None:
    """Both run within SECONDS of this thread's CPU time: wall time would also count the moments a busy
    machine gives the CPU to others (a 0.25 s case took 2.4 s of wall time under load); a quadratic
    scan of the traps takes minutes either way."""
    started = time.thread_time()
    answer = extract_answer(text)
    assert answer is None or isinstance(answer, str)
    assert isinstance(normalise_answer(text), str)
    elapsed = time.thread_time() - started
    assert elapsed < SECONDS, f"took {elapsed:.1f} s of CPU time on {text[:60]!r}"


@pytest.mark.parametrize("text", MODEL_OUTPUT_TRAPS + all_strings(), ids=lambda text: f"{len(text)}-chars")
def test_long_and_broken_model_output_is_handled_quickly(text: str) -> None:
    extract_and_normalise(text)


def test_the_last_complete_box_wins_over_broken_ones() -> None:
    assert extract_answer(r"\boxed{1} then \boxed{2} and \boxed{3") == "2"


@settings(settings.get_profile("hostile"), max_examples=300)
@given(st.lists(st.one_of(ANY_INPUT, st.sampled_from(OUTPUT_PIECES)), max_size=8))
def test_random_model_output_gives_text_or_none(pieces: list[str]) -> None:
    extract_and_normalise("".join(pieces))
