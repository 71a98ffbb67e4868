"""The two records every other part of the tutor shares: a generated `Problem` and a `Skill`."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from tutor.conventions import DEFAULT, Conventions
from tutor.forms import FormError, parse_form

KINDS = frozenset({"solve", "simplify", "evaluate", "expand", "factor", "differentiate"})


class ProblemError(ValueError):
    """A problem was asked for with a skill, difficulty or seed that cannot produce one."""


@dataclass(frozen=True)
class Draft:
    """What a skill's generator decides; `Skill.generate` adds who asked for it."""

    kind: str
    prompt: str
    latex: str
    start: str
    answer: str
    form: str = "equivalent"


@dataclass(frozen=True)
class Problem:
    """One exercise: `start` is what the first step is checked against, `answer` the canonical result,
    `form` the form the final answer must have (see :mod:`tutor.forms`), `conventions` how its math is read
    (what a bare ``log`` means in the learner's course, see :mod:`tutor.conventions`)."""

    skill: str
    difficulty: int
    seed: int
    kind: str
    prompt: str
    latex: str
    start: str
    answer: str
    form: str = "equivalent"
    conventions: Conventions = DEFAULT

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ProblemError(f"unknown problem kind {self.kind!r}; expected one of {sorted(KINDS)}")
        _check_difficulty(self.difficulty)
        try:
            parse_form(self.form)
        except FormError as error:
            raise ProblemError(str(error)) from None


@dataclass(frozen=True)
class Skill:
    """A skill the learner practises; `build` draws a problem from a seeded random source."""

    id: str
    name: str
    description: str
    prerequisites: tuple[str, ...]
    build: Callable[[random.Random, int], Draft]

    def generate(self, difficulty: int, seed: int) -> Problem:
        """The same (difficulty, seed) always gives the same problem."""
        _check_difficulty(difficulty)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ProblemError(f"seed must be a whole number, got {seed!r}")
        draft = self.build(random.Random(f"{self.id}:{difficulty}:{seed}"), difficulty)
        return Problem(
            self.id, difficulty, seed, draft.kind, draft.prompt, draft.latex, draft.start, draft.answer,
            draft.form,
        )  # fmt: skip


def _check_difficulty(difficulty: int) -> None:
    if isinstance(difficulty, bool) or not isinstance(difficulty, int) or not 1 <= difficulty <= 5:
        raise ProblemError(f"difficulty must be a whole number from 1 to 5, got {difficulty!r}")


def nonzero(rng: random.Random, low: int, high: int) -> int:
    """A random integer in [low, high] other than 0."""
    return rng.choice([n for n in range(low, high + 1) if n != 0])
