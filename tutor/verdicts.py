"""The plain results of checking a step or an answer, and the one vocabulary of step verdicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class StepStatus(StrEnum):
    """What a learner's line is, next to the line before: the verdict the verifier, the database
    (``steps.verdict``), the pages and the learner model all use. The values are what is stored, so they
    never change; a member compares equal to its value, so a verdict read back as text still matches."""

    EQUIVALENT = "equivalent"  # same solutions, or equal expressions
    IMPLIED = "implied"  # every solution kept, but new ones may have appeared
    INVALID = "invalid"  # wrong: solutions lost, or not equal
    UNVERIFIABLE = "unverifiable"  # the checker could not decide in time: never called right or wrong
    UNPARSABLE = "unparsable"  # not readable math (check_step raises; tutor.outcome records it)


ACCEPTED = frozenset({StepStatus.EQUIVALENT, StepStatus.IMPLIED})  # the line stands as the new state
UNCHECKED = frozenset({StepStatus.UNVERIFIABLE, StepStatus.UNPARSABLE})  # neither right nor wrong


@dataclass(frozen=True)
class StepVerdict:
    """How a learner's step relates to the previous line.

    ``equivalent``: same solutions (or equal expressions); ``implied``: all solutions kept but new ones may
    have appeared (``extra``); ``invalid``: wrong, ``lost`` lists solutions that disappeared;
    ``unverifiable``: the checker could not decide in time, which is never reported as right or wrong.
    ``misconception`` names the known slip behind an invalid step ("division-slip"), when there is one.
    """

    status: StepStatus
    message: str
    lost: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    misconception: str | None = None  # for a wrong step, the slip it shows (see tutor.diagnose)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", StepStatus(self.status))  # a member even if given as text


@dataclass(frozen=True)
class AnswerVerdict:
    """``form_failure`` names the answer-form rule a right value breaks ("6/8 is not in lowest terms")."""

    correct: bool
    message: str
    form_failure: str | None = None
