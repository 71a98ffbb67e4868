"""The student's "what to practise" picker: their open assignments first, then adaptive practice or
one skill by name.

Each choice is one string in the dropdown ("adaptive", "skill:<id>", "assignment:<id>"), read back
into a ``PracticeChoice`` that says how to start the tutoring session and draw the next problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

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
    """(label, value) pairs: the learner's unfinished assignments, adaptive, then every skill by name."""
    return [
        *((assignment_label(a), f"{_ASSIGNMENT}{a.id}") for a in open_assignments(assignments)),
        (ADAPTIVE_LABEL, ADAPTIVE),
        *((f"Skill: {skill.name}", f"{_SKILL}{skill_id}") for skill_id, skill in SKILLS.items()),
    ]


def open_assignments(assignments: list[AssignmentInfo]) -> list[AssignmentInfo]:
    return [a for a in assignments if a.progress is None or not a.progress.complete]


def default_choice(assignments: list[AssignmentInfo]) -> str:
    """The first open assignment (the soonest due), else adaptive practice."""
    waiting = open_assignments(assignments)
    return f"{_ASSIGNMENT}{waiting[0].id}" if waiting else ADAPTIVE


def assignment_label(assignment: AssignmentInfo) -> str:
    """The title first (phones cut long labels), then what the title does not already say."""
    details = [assignment.class_name]
    if not assignment.problem_set:
        skill = SKILLS[assignment.skill_id].name if assignment.skill_id in SKILLS else assignment.skill_id
        if skill.lower() not in assignment.title.lower():
            details.append(skill)
    if assignment.progress is not None and assignment.progress.finished:
        details.append(assignment.progress.counter)
    else:
        details.append(f"{assignment.problem_count} problems")
    if assignment.due_at:
        details.append(f"due {assignment.due_at:%a %d %b}")
    return f"Assignment: {assignment.title} ({', '.join(details)})"


def assignments_markdown(assignments: list[AssignmentInfo]) -> str:
    """The learner's assignments as a short list: open ones with "2 of 5" and the due date, then done ones."""
    if not assignments:
        return ""
    lines = ["**Your assignments**", ""]
    for a in assignments:
        name = f"{escape(a.title)} ({escape(a.class_name)})"
        due = f" · due {a.due_at:%a %d %b}" if a.due_at else ""
        progress = a.progress
        if progress is not None and progress.complete:
            lines.append(f"- ✓ {name} · done, {progress.solved} of {progress.total} solved")
        else:
            where = progress.counter if progress is not None else f"{a.problem_count} problems"
            lines.append(f"- **{name}** · problem {where}{due}")
    return "\n".join(lines)


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
