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
    """

    status: Status
    message: str
    lost: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AnswerVerdict:
    correct: bool
    message: str
