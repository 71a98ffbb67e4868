"""The teacher's timeline and tables speak in skill names and plain words, not ids and verdict codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.services.web_queries import ErrorPattern, TimelinePoint
from app.web.ui.teacher_views import errors_frame, timeline_frame

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
    assert frame["time (UTC)"].tolist()[2] == "2026-11-25 09:00"


def test_common_errors_name_the_skill_and_say_what_the_verdict_means() -> None:
    frame = errors_frame([ErrorPattern("linear_two_step", "invalid", "This step lost x = 2.", 3, "2x = 5")])
    row = ["Two-step equations", "not right", "This step lost x = 2.", 3, "2x = 5"]
    assert frame.values.tolist() == [row]
