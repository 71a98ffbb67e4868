"""What learners and teachers read on screen: previews, verdicts, escaping, streaks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.services.help import HintView
from app.services.progress import Progress, SkillProgress
from app.services.tutoring import StepResult
from app.services.web_queries import AttemptDetail, AttemptSummary, StepLine
from app.web.ui.progress_view import mastery_table, stats_markdown
from app.web.ui.student import state_before_last_step
from app.web.ui.views import (
    VERDICTS,
    attempt_markdown,
    feedback_markdown,
    hints_markdown,
    preview_markdown,
    step_markdown,
    verdict_badge,
)
from tutor.verdicts import StepStatus


def summary(status: str, username: str = "ada") -> AttemptSummary:
    return AttemptSummary(
        1, username, "linear_two_step", 1, "Solve", status, 2, 0, datetime(2026, 1, 1, tzinfo=UTC)
    )


@pytest.mark.parametrize(
    ("typed", "shown"), [("2x = 8", "2 x = 8"), (r"\frac{x}{2} = 3", r"\frac{x}{2} = 3")]
)
def test_preview_shows_what_was_understood_as_math(typed: str, shown: str) -> None:
    assert preview_markdown(typed) == f"I read: $${shown}$$"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("42 + 8", "42 + 8"), ("sqrt(20)", r"\sqrt{20}"), ("x^3·x^3", "x^{3} x^{3}"), ("6/6", r"\frac{6}{6}")],
)
def test_preview_never_works_anything_out(typed: str, shown: str) -> None:
    """Issue 13 §5: a preview that showed 50 for 42 + 8 gave the answer away."""
    assert preview_markdown(typed) == f"I read: $${shown}$$"


def test_worked_so_far_and_the_teachers_drill_down_show_each_line_as_typed() -> None:
    steps = [
        StepLine(1, "6/6", "equivalent", "Correct", True, False),
        StepLine(2, "42 + 8", "invalid", "", False, False),
    ]
    assert step_markdown(steps[0]).startswith(r"1. $\frac{6}{6}$ <span class='ft-ok'>✓")
    text = attempt_markdown(AttemptDetail(summary("in_progress"), "x", steps, []))
    assert r"$\frac{6}{6}$" in text and "$42 + 8$" in text and "$1$" not in text and "$50$" not in text


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
    assert "Fraction &lt;arithmetic&gt;" in table and "86%" in table and "✓ mastered" in table
    almost = SkillProgress("radicals", "Radicals", 0.97, 1350.0, 6, False, 5, solved_in_a_row=2)
    assert "2 of 3 solved in a row without help" in mastery_table(Progress(1, 6, 5, 9, 0, [almost]))


@pytest.mark.parametrize(
    ("verdict", "accepted", "solved", "says"),
    [
        ("equivalent", True, False, "Good step"),
        ("equivalent", True, True, "Solved!"),
        ("invalid", False, False, "Not quite"),
        ("unparsable", False, False, "could not check that line"),
        (StepStatus.UNVERIFIABLE, False, False, "could not check that line"),
        ("unverifiable", True, False, "Taken as your starting line"),  # the first line with no start
    ],
)
def test_feedback_says_what_to_do_next_without_repeating_the_steps_message(
    verdict: str, accepted: bool, solved: bool, says: str
) -> None:
    result = StepResult(1, 1, 1, "x = 2", verdict, "The verifier's own words.", accepted, solved, False)
    shown = feedback_markdown(result)
    assert says in shown and "verifier's own words" not in shown  # already on the step's line


@pytest.mark.parametrize("status", list(StepStatus))
def test_every_verdict_has_its_own_display(status: StepStatus) -> None:
    assert set(VERDICTS) == set(StepStatus)
    symbol, css, words = VERDICTS[status]
    badge = verdict_badge(status)
    assert badge == f"<span class='{css}'>{symbol} {words}</span>"
    assert verdict_badge(status.value) == badge  # as read back from the database, where it is text


def test_the_hint_list_says_when_the_ladder_has_ended() -> None:
    given = ["Aim for x alone.", "Next, subtract 3.", "Subtract 3 from both sides: 2x = 4"]
    climbing = hints_markdown(given[:2], HintView(1, 2, "specific", given[1], last=False, repeated=False))
    assert climbing == "**Hint 1.** Aim for x alone.\n\n**Hint 2.** Next, subtract 3."
    top = hints_markdown(given, HintView(1, 3, "next_step", given[2], last=True, repeated=False))
    assert top.count("**Hint") == 3 and "last hint for this line" in top and "not given or counted" not in top
    again = hints_markdown(given, HintView(1, 3, "next_step", given[2], last=True, repeated=True))
    assert again.count("**Hint") == 3 and "not given or counted again" in again


def test_tables_are_plain_html_with_every_cell_escaped_and_a_sentence_when_empty() -> None:
    import pandas as pd

    from app.web.ui.views import frame_html

    table = frame_html(pd.DataFrame([["<b>ada</b>", 3]], columns=["who", "steps"]), caption="Work", empty="-")
    assert "<caption>Work</caption>" in table and "<th scope='col'>who</th>" in table
    assert "&lt;b&gt;ada&lt;/b&gt;" in table and "<b>" not in table
    empty = frame_html(pd.DataFrame(columns=["who"]), caption="Work", empty="No work yet.")
    assert empty == "<p class='ft-empty'>No work yet.</p>"  # never an empty grid headed "1 2 3"


def test_the_problem_is_shown_once_words_then_typeset_math() -> None:
    from app.services.tutoring import ProblemView
    from app.web.ui.views import problem_markdown

    view = ProblemView(1, 1, "linear_two_step", 1, "solve", "Solve for x: 3x - 4 = 11", "3 x - 4 = 11",
                       "3x - 4 = 11", "in_progress", 0, 0, start="3x - 4 = 11")  # fmt: skip
    shown = problem_markdown(view)
    assert "Solve for x:\n\n$$3 x - 4 = 11$$" in shown and shown.count("11") == 1
    prose = ProblemView(1, 1, "linear_two_step", 1, "solve", "A shop sells pens for $3 each.", "3p = 12",
                        "3p = 12", "in_progress", 0, 0, start="3p = 12")  # fmt: skip
    assert "A shop sells pens for $3 each." in problem_markdown(prose)  # a word problem keeps its words
    eggs = ProblemView(1, 1, "order_of_operations", 1, "evaluate", "Janet's ducks lay 16 eggs a day.", "", "",
                       "in_progress", 0, 0)  # fmt: skip
    assert problem_markdown(eggs).endswith("Janet's ducks lay 16 eggs a day.")  # no start: no empty math
