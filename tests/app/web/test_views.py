"""What learners and teachers read on screen: previews, verdicts, escaping, streaks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.services.progress import Progress, SkillProgress
from app.services.tutoring import StepResult
from app.services.web_queries import AttemptDetail, AttemptSummary, StepLine
from app.web.ui.progress_view import mastery_table, stats_markdown
from app.web.ui.student import state_before_last_step
from app.web.ui.views import attempt_markdown, feedback_markdown, preview_markdown, step_markdown


def summary(status: str, username: str = "ada") -> AttemptSummary:
    return AttemptSummary(
        1, username, "linear_two_step", 1, "Solve", status, 2, 0, datetime(2026, 1, 1, tzinfo=UTC)
    )


@pytest.mark.parametrize(
    ("typed", "shown"), [("2x = 8", "2 x = 8"), (r"\frac{x}{2} = 3", r"\frac{x}{2} = 3")]
)
def test_preview_shows_what_was_understood_as_math(typed: str, shown: str) -> None:
    assert preview_markdown(typed) == f"I read: $${shown}$$"


@pytest.mark.parametrize("typed", ["2x = = 8", "((", "x +* 3", "<script>alert(1)</script>"])
def test_preview_explains_unreadable_input_without_crashing(typed: str) -> None:
    shown = preview_markdown(typed)
    assert shown.startswith("<span class='ft-unsure'>⚠") and "<script>" not in shown


def test_a_wrong_step_shows_its_verdict_and_the_reason() -> None:
    line = step_markdown(StepLine(1, "3x = 7", "invalid", "This step lost the solution x = 2.", False, False))
    assert line == "1. $3 x = 7$ <span class='ft-bad'>✗ not right</span> — This step lost the solution x = 2."


def test_unreadable_steps_are_shown_as_typed_and_names_are_escaped() -> None:
    steps = [StepLine(1, "x = = `1`", "unparsable", "I could not read <this>", False, False)]
    text = attempt_markdown(
        AttemptDetail(summary("gave_up", "<b>eve</b>"), "3x = 9", steps, ["Try <i>this</i>"])
    )
    assert "`x = = '1'`" in text
    assert "&lt;b&gt;eve&lt;/b&gt;" in text and "I could not read &lt;this&gt;" in text
    assert "Try &lt;i&gt;this&lt;/i&gt;" in text and "gave up" in text


def test_the_state_before_the_last_step_skips_rejected_steps() -> None:
    steps = [
        StepLine(1, "3x = 7", "invalid", "", False, False),
        StepLine(2, "3x = 6", "equivalent", "", True, False),
        StepLine(3, "x = 3", "invalid", "", False, False),
    ]
    assert state_before_last_step("3x + 4 = 10", steps) == "3x = 6"
    assert state_before_last_step("3x + 4 = 10", steps[:1]) == "3x + 4 = 10"


def test_the_streak_counts_solved_problems_in_a_row_ignoring_the_open_one() -> None:
    mine = Progress(
        1, 4, 3, 9, 1, [SkillProgress("fractions", "Fraction <arithmetic>", 0.86, 1100.0, 4, True, 3)]
    )
    recent = [
        summary("in_progress"),
        summary("solved"),
        summary("solved"),
        summary("gave_up"),
        summary("solved"),
    ]
    assert "**2** solved in a row" in stats_markdown(mine, recent)
    assert "9 steps · 1 hint · 1 skill mastered" in stats_markdown(mine, recent)  # nouns agree with counts
    table = mastery_table(mine)
    assert "Fraction &lt;arithmetic&gt;" in table and "86%" in table and "mastered" in table


@pytest.mark.parametrize(
    ("verdict", "accepted", "solved", "says"),
    [
        ("equivalent", True, False, "Good step"),
        ("equivalent", True, True, "Solved!"),
        ("invalid", False, False, "Not quite"),
        ("unparsable", False, False, "could not check that line"),
    ],
)
def test_feedback_says_what_to_do_next_without_repeating_the_steps_message(
    verdict: str, accepted: bool, solved: bool, says: str
) -> None:
    result = StepResult(1, 1, 1, "x = 2", verdict, "The verifier's own words.", accepted, solved, False)
    shown = feedback_markdown(result)
    assert says in shown and "verifier's own words" not in shown  # already on the step's line
