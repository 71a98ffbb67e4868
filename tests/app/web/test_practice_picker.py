"""The student's "what to practise" list: open assignments first (the default), adaptive, then every
skill by the name people read."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.services.assignments import AssignmentInfo
from app.services.errors import InvalidInput
from app.web.ui.practice_picker import (
    ADAPTIVE,
    PracticeChoice,
    assignment_label,
    assignments_markdown,
    default_choice,
    parse_choice,
    practice_choices,
)
from tutor.assignment_progress import AssignmentProgress
from tutor.problems import SKILLS

WEEK_1 = AssignmentInfo(7, "Algebra 1", "Week 1", "linear_two_step", 5, datetime(2030, 1, 31, tzinfo=UTC))
STARTED = replace(WEEK_1, progress=AssignmentProgress(5, 1, 1))
DONE = replace(WEEK_1, id=6, title="Week 0", progress=AssignmentProgress(5, 5, 4))


def test_every_choice_offered_reads_back_as_what_its_label_says() -> None:
    choices = practice_choices([WEEK_1])
    labels = [label for label, _ in choices]
    assert labels[0] == "Assignment: Week 1 (Algebra 1, Two-step equations, 5 problems, due Thu 31 Jan)"
    assert labels[1].startswith("Adaptive practice")
    assert labels[2:] == [f"Skill: {skill.name}" for skill in SKILLS.values()]
    assert [parse_choice(value) for _, value in choices[:3]] == [
        PracticeChoice(assignment_id=7), PracticeChoice(), PracticeChoice(skill_id="fractions")
    ]
    assert parse_choice(None) == parse_choice(ADAPTIVE) == PracticeChoice()


def test_open_assignments_come_first_with_their_counter_and_are_the_default() -> None:
    assert default_choice([STARTED, DONE]) == "assignment:7"
    assert default_choice([DONE]) == ADAPTIVE
    labels = [label for label, _ in practice_choices([DONE, STARTED])]
    assert labels[0] == "Assignment: Week 1 (Algebra 1, Two-step equations, 2 of 5, due Thu 31 Jan)"
    assert not any("Week 0" in label for label in labels)  # a finished assignment is not offered again
    assert assignments_markdown([STARTED, DONE]).splitlines()[2:] == [
        "- **Week 1 (Algebra 1)** · problem 2 of 5 · due Thu 31 Jan",
        "- ✓ Week 0 (Algebra 1) · done, 4 of 5 solved",
    ]


def test_an_assignment_label_does_not_repeat_the_skill_its_title_names() -> None:
    titled = AssignmentInfo(8, "Algebra 1", "Two-step equations", "linear_two_step", 3, None)
    assert assignment_label(titled) == "Assignment: Two-step equations (Algebra 1, 3 problems)"


NEVER_OFFERED = ["skill:magic", "assignment:x", "assignment:", "assignment:" + "9" * 40, "7", " "]


@pytest.mark.parametrize("value", NEVER_OFFERED)
def test_a_value_the_list_never_offered_is_refused_in_words(value: str) -> None:
    with pytest.raises(InvalidInput, match="choose what to practise from the list"):
        parse_choice(value)
