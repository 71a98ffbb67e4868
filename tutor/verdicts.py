"""The plain results of checking a step or an answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["equivalent", "implied", "invalid", "unverifiable"]


@dataclass(frozen=True)
class StepVerdict:
    """How a learner's step relates to the previous line.

    ``equivalent``: same solutions (or equal expressions); ``implied``: all solutions kept but new ones may
    have appeared (``extra``); ``invalid``: wrong, ``lost`` lists solutions that disappeared;
    ``unverifiable``: the checker could not decide in time, which is never reported as right or wrong.
    ``misconception`` names the known slip behind an invalid step ("division-slip"), when there is one.
    """

    status: Status
    message: str
    lost: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    misconception: str | None = None  # for a wrong step, the slip it shows (see tutor.diagnose)


@dataclass(frozen=True)
class AnswerVerdict:
    """``form_failure`` names the answer-form rule a right value breaks ("6/8 is not in lowest terms")."""

    correct: bool
    message: str
    form_failure: str | None = None
