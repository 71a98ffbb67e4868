"""The records every other part of the tutor shares: a generated `Problem` and a `Skill`.

A `Skill` is declared once, in its family's module (:mod:`tutor.problems.linear` ...), with all the
tutor needs to teach it: the generator of its problems, the solver's move, the hint ladder's goal and
the learner model's knowledge-tracing parameters. This module imports neither the registry nor the
solver, so declarations and the learner model can both use it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass

from tutor.conventions import DEFAULT, Conventions
from tutor.forms import FormError, parse_form
from tutor.moves import MoveFunction

KINDS = frozenset({"solve", "simplify", "evaluate", "expand", "factor", "differentiate"})
# The usual first rung of the hint ladder for each kind of problem; a skill may word its own goal.
GOALS = {
    "solve": "Aim to get the unknown on its own on one side, doing the same thing to both sides.",
    "simplify": "Aim for a single simplest form: combine what can be combined, cancel what can be cancelled.",
    "evaluate": "Aim for one number: brackets first, then powers, then × and ÷, then + and −.",
    "expand": "Aim for a sum of terms with no brackets left, like terms collected.",
    "factor": "Aim for a product: first anything all terms share, then factor what is inside the brackets.",
    "differentiate": "Aim to replace d/dx(...) by the derivative, using the rule for the outermost shape.",
}


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
class BKTParams:
    """Knowledge-tracing parameters of one skill (probabilities); see :mod:`tutor.learner`."""

    p_init: float = 0.2  # knows the skill before any practice
    p_learn: float = 0.15  # learns it during one problem
    p_guess: float = 0.2  # right without knowing it
    p_slip: float = 0.1  # wrong despite knowing it

    def __post_init__(self) -> None:
        for name in ("p_init", "p_learn"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1], got {getattr(self, name)}")
        for name in ("p_guess", "p_slip"):
            if not 0.0 < getattr(self, name) < 1.0:
                raise ValueError(f"{name} must be strictly between 0 and 1, got {getattr(self, name)}")
        if self.p_guess + self.p_slip >= 1.0:
            raise ValueError("p_guess + p_slip must be below 1, or right answers would count against mastery")


DEFAULT_PARAMS = BKTParams()


@dataclass(frozen=True)
class Skill:
    """A skill the learner practises, and everything the tutor needs to teach it.

    ``generator`` draws a problem's `Draft` from a seeded random source and a difficulty (1..5);
    ``move`` is the solver's next rewrite from any state (:mod:`tutor.moves`); ``goal`` is the hint
    ladder's first rung, what to aim for; ``bkt`` the learner model's parameters for the skill.
    ``prerequisites`` name skills declared before this one.
    """

    id: str
    name: str
    description: str
    _: KW_ONLY
    prerequisites: tuple[str, ...] = ()
    generator: Callable[[random.Random, int], Draft]
    move: MoveFunction
    goal: str
    bkt: BKTParams = DEFAULT_PARAMS

    def __post_init__(self) -> None:
        if not self.id.isidentifier():
            raise ProblemError(f"a skill id is an identifier such as 'linear_two_step', not {self.id!r}")
        if not (self.name.strip() and self.description.strip() and self.goal.strip()):
            raise ProblemError(f"skill {self.id!r} needs a name, a description and a goal")
        if not isinstance(self.prerequisites, tuple) or not all(map(str.isidentifier, self.prerequisites)):
            raise ProblemError(f"the prerequisites of {self.id!r} must be a tuple of skill ids")
        if not (callable(self.generator) and callable(self.move)):
            raise ProblemError(f"skill {self.id!r} needs a generator and a solver move")
        if not isinstance(self.bkt, BKTParams):
            raise ProblemError(f"the learner parameters of {self.id!r} must be BKTParams")

    def generate(self, difficulty: int, seed: int) -> Problem:
        """The same (difficulty, seed) always gives the same problem."""
        _check_difficulty(difficulty)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ProblemError(f"seed must be a whole number, got {seed!r}")
        draft = self.generator(random.Random(f"{self.id}:{difficulty}:{seed}"), difficulty)
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
