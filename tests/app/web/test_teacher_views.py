"""The teacher's timeline and tables speak in skill names and plain words, not ids and verdict codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import gradio as gr

from app.services.web_queries import AttemptDetail, AttemptSummary, ErrorPattern, TimelinePoint
from app.web.ui.teacher import attempt_choice, clicked_attempt, recent_work_html
from app.web.ui.teacher_views import errors_frame, parse_due_date, timeline_frame
from app.web.ui.views import attempt_markdown, attempts_table, frame_html

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_the_timeline_numbers_each_learners_practice_per_skill() -> None:
    points = [
        TimelinePoint(START, "ada", "linear_two_step", 0.2),
        TimelinePoint(START + timedelta(milliseconds=300), "bob", "linear_two_step", 0.3),
        TimelinePoint(START + timedelta(days=2), "ada", "linear_two_step", 0.5),
        TimelinePoint(START + timedelta(days=2, seconds=1), "ada", "fractions", 0.6),
    ]
    frame = timeline_frame(points)
    assert frame["practice"].tolist() == [1, 1, 2, 1]  # seconds or days apart, each point one step on
    assert frame["learner"].tolist() == [
        "ada · Two-step equations", "bob · Two-step equations", "ada · Two-step equations",
        "ada · Fraction arithmetic",
    ]
    assert frame["time"].tolist()[2] == "2026-11-25 09:00 (UTC)"
    school = timeline_frame(points, ZoneInfo("Europe/Berlin"))
    assert school["time"].tolist()[2] == "2026-11-25 10:00 (Europe/Berlin)"  # shown in the school's zone


def test_common_errors_name_the_skill_and_say_what_the_verdict_means() -> None:
    frame = errors_frame([ErrorPattern("linear_two_step", "invalid", "This step lost x = 2.", 3, "2x = 5")])
    row = ["Two-step equations", "not right", "This step lost x = 2.", 3, "2x = 5"]
    assert frame.values.tolist() == [row]


def test_a_due_date_ends_at_midnight_in_the_schools_zone() -> None:
    due = parse_due_date("2026-12-01", ZoneInfo("America/New_York"))
    assert due.isoformat() == "2026-12-02T04:59:00+00:00"  # 23:59 in New York, stored in UTC
    assert parse_due_date("2026-12-01").isoformat() == "2026-12-01T23:59:00+00:00"


def test_a_zone_that_does_not_exist_is_a_clear_settings_error(tmp_path) -> None:
    import pytest
    from pydantic import ValidationError

    from app.settings import Settings

    with pytest.raises(ValidationError, match="not a time zone name"):
        Settings(data_dir=tmp_path, timezone="Mars/Olympus")
    assert Settings(data_dir=tmp_path, timezone="Europe/London").school_zone.key == "Europe/London"


def test_the_assignments_table_gives_completion_and_average_score() -> None:
    from app.services.assignments import AssignmentInfo, AssignmentReport, StudentResult
    from app.web.ui.teacher_views import assignments_frame
    from tutor.assignment_progress import AssignmentProgress

    quiz = AssignmentInfo(3, "Algebra 1", "Quiz", "linear_two_step", 2, None, problem_set=True)
    students = [StudentResult(1, "ada", "Ada", AssignmentProgress(2, 2, 1)),
                StudentResult(2, "bob", "Bob", AssignmentProgress(2, 1, 1))]
    frame = assignments_frame([AssignmentReport(quiz, students)])
    assert frame.values.tolist() == [["Quiz", "problem set", 2, "", "1 of 2 students", "50%"]]


def test_the_problem_editor_previews_the_math_and_names_what_is_not_math_yet() -> None:
    from app.web.ui.teacher_problems import draft_preview

    assert draft_preview("Solve.", "2x+3=11", "x=4") == "Solve.\n\n$$2 x + 3 = 11$$\n\nAnswer: $$x = 4$$"
    assert "not readable math yet" in draft_preview("Solve.", "2x+", "")


def _attempt(attempt_id: int, status: str, username: str = "ada"):
    return AttemptSummary(attempt_id, username, "linear_two_step", 1, "Solve <for> x", status, 2, 0, START)


def test_each_recent_work_row_opens_its_attempt_and_a_skip_reads_as_a_plain_word() -> None:
    rows = [_attempt(12, "skipped"), _attempt(7, "in_progress", "<b>eve</b>")]
    html = recent_work_html(rows, ZoneInfo("UTC"))
    assert (
        "<tr class='ft-attempt-row' data-attempt='12'><td><a href='#attempt' class='ft-open-attempt' "
        "data-attempt='12' aria-label='Open attempt 12 step by step'>12</a></td>"
    ) in html
    assert "data-attempt='7'" in html and "<td>skipped</td>" in html and "<td>in progress</td>" in html
    assert "&lt;b&gt;eve&lt;/b&gt;" in html and "Solve &lt;for&gt; x" in html  # cells still escaped
    assert "No work yet" in recent_work_html([], ZoneInfo("UTC"))


def test_only_the_teachers_table_has_links() -> None:
    plain = frame_html(attempts_table([_attempt(12, "skipped")]), caption="Recent problems", empty="none")
    assert "data-attempt" not in plain and "<a " not in plain and "<td>skipped</td>" in plain


def test_the_drill_down_picker_and_view_say_skipped() -> None:
    assert attempt_choice(_attempt(12, "skipped")) == ("#12 Two-step equations: Solve <for> x (skipped)", 12)
    assert attempt_choice(_attempt(3, "gave_up"))[0].endswith("(gave up)")
    shown = attempt_markdown(AttemptDetail(_attempt(12, "skipped"), "x", [], []))
    assert "level 1 · skipped" in shown


def test_a_row_click_is_read_back_only_as_an_attempt_id() -> None:
    assert clicked_attempt(gr.EventData(None, {"attempt": "12"})) == 12
    assert clicked_attempt(gr.EventData(None, {"attempt": 12})) == 12
    for data in ({}, {"attempt": "12; drop"}, {"attempt": "-1"}, {"attempt": None}, {"attempt": "9" * 19},
                 None, "12"):
        assert clicked_attempt(gr.EventData(None, data)) is None
