"""grade_output on hostile model output: a verdict, or DeadlineExceeded, and never code that runs.

Model output is untrusted text. The module's canary check (conftest.py) fails this module if any input
created the files that injected code would touch, in this process or in a checking process.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hostile.corpus import CODE_INJECTION, LATEX_ATTACKS, RESOURCE_BOMBS
from tests.hostile.strategies import ANY_INPUT, NEAR_VALID_MATH
from tutor.grading import DeadlineExceeded, grade_output, warm_up_grading

SECONDS = 1.0
READ_SECONDS = 60.0  # long enough that every injection below is really read, on a busy machine too
FRAMES = ["{}", "\\boxed{{{}}}", "The answer is ${}$.", "Working it out...\n\\[{}\\]"]


@pytest.fixture(scope="module", autouse=True)
def workers() -> Iterator[None]:
    warm_up_grading()
    yield


def as_model_output(text: str) -> list[tuple[str, str]]:
    """``text`` where a model puts its answer, and as the gold answer of a job's uploaded file."""
    return [(frame.format(text), "2") for frame in FRAMES] + [("\\boxed{2}", text)]


def graded(output: str, gold: str, seconds: float = SECONDS) -> bool | None:
    """The verdict, or None when grading ran out of time; no other outcome."""
    try:
        verdict = grade_output(output, gold, seconds=seconds)
    except DeadlineExceeded:
        return None
    assert isinstance(verdict, bool)
    return verdict


@pytest.mark.slow
@pytest.mark.parametrize("text", CODE_INJECTION + LATEX_ATTACKS)
def test_injected_code_is_read_as_math_or_text_and_never_run(text: str) -> None:
    for output, gold in as_model_output(text):
        assert graded(output, gold, READ_SECONDS) is not None, f"{output!r} was not read in time"


@pytest.mark.parametrize("text", RESOURCE_BOMBS[:40])
def test_resource_bombs_get_a_verdict_or_run_out_of_time(text: str) -> None:
    graded(text, "2")
    graded(f"\\boxed{{{text}}}", "2")


@settings(settings.get_profile("hostile"), max_examples=40)
@given(st.one_of(NEAR_VALID_MATH, ANY_INPUT), st.sampled_from(FRAMES))
def test_random_model_output_gets_a_verdict_or_runs_out_of_time(text: str, frame: str) -> None:
    graded(frame.format(text), "2")
