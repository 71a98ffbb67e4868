"""The student's "what to practise" picker: adaptive practice, one skill by name, or an assignment.

Each choice is one string in the dropdown ("adaptive", "skill:<id>", "assignment:<id>"), read back
into a ``PracticeChoice`` that says how to start the tutoring session and draw the next problem.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.services.assignments import AssignmentInfo
from app.services.errors import InvalidInput
from tutor.problems import SKILLS

ADAPTIVE = "adaptive"
ADAPTIVE_LABEL = "Adaptive practice (the tutor chooses)"
_SKILL, _ASSIGNMENT = "skill:", "assignment:"


@dataclass(frozen=True)
class PracticeChoice:
    skill_id: str | None = None  # practise this skill (the level still fits the learner)
    assignment_id: int | None = None  # work on this assignment


def practice_choices(assignments: list[AssignmentInfo]) -> list[tuple[str, str]]:
    """(label, value) pairs: adaptive first, then the learner's assignments, then every skill by name."""
    return [
        (ADAPTIVE_LABEL, ADAPTIVE),
        *((assignment_label(a), f"{_ASSIGNMENT}{a.id}") for a in assignments),
        *((f"Skill: {skill.name}", f"{_SKILL}{skill_id}") for skill_id, skill in SKILLS.items()),
    ]


def assignment_label(assignment: AssignmentInfo) -> str:
    """The title first (phones cut long labels), then what the title does not already say."""
    skill = SKILLS[assignment.skill_id].name if assignment.skill_id in SKILLS else assignment.skill_id
    details = [assignment.class_name]
    if skill.lower() not in assignment.title.lower():
        details.append(skill)
    details.append(f"{assignment.problem_count} problems")
    if assignment.due_at:
        details.append(f"due {assignment.due_at:%a %d %b}")
    return f"Assignment: {assignment.title} ({', '.join(details)})"


def parse_choice(value: str | None) -> PracticeChoice:
    """The choice behind a dropdown value; ``InvalidInput`` for anything the picker never offers."""
    value = value or ADAPTIVE
    if value == ADAPTIVE:
        return PracticeChoice()
    if value.startswith(_SKILL) and value.removeprefix(_SKILL) in SKILLS:
        return PracticeChoice(skill_id=value.removeprefix(_SKILL))
    number = value.removeprefix(_ASSIGNMENT)
    if value.startswith(_ASSIGNMENT) and number.isdecimal() and len(number) <= 18:
        return PracticeChoice(assignment_id=int(number))
    raise InvalidInput(f"choose what to practise from the list (not {value!r})")
