"""The learner model: what a learner knows, and which problem to give them next.

Two estimates per skill, because they answer different questions:

* Bayesian Knowledge Tracing (BKT) tracks ``p_mastery``, the probability that the learner knows the
  skill at all. It is cautious about lucky guesses and forgives slips.
* An Elo-style ``ability`` on the same scale as problem difficulty tells *how hard* a problem the
  learner can handle, so the next problem can be pitched at a predicted success rate near 0.7.

A skill is mastered when BKT is confident, the ability reaches the hardest level, and the last
``MASTERY_RUN`` (3) problems were solved unaided, as ASSISTments skill builders ask for three right
in a row: confidence alone can come from a lucky run of easy problems or from one long problem.

Evidence and its weights. Everything the tutor sees is an observation of "right" or "wrong" with a
weight in [0, 1]. In BKT the weight tempers the likelihood (``P(obs | state) ** weight``), so a weight
of 1 is the textbook update and a weight of 0 changes nothing; in Elo it scales the K-factor.

    kind              observes  weight          why
    problem_solved    right     1.0 (the rest)  a whole problem done unaided: the textbook BKT opportunity
    problem_failed    wrong     1.0 (the rest)  gave up, or asked to see the worked solution
    problem_skipped   wrong     0               skipped: ends the problem and breaks the run, nothing more
    step_correct      right     0.25            steps go with the problem's outcome; weak evidence alone
    step_wrong        wrong     0.5             a wrong step shows a concrete misconception
    hint (level 1-3)  wrong     0.25/0.5/0.75   asking for help is partial evidence of non-mastery;
                                                the next-step hint (3) is nearly a failure

One problem is one opportunity, however long it is, so its evidence is capped (``problem_weights``):
right and wrong evidence each add up to at most 1 per problem, steps take at most half of that, and
the outcome carries the rest. Help discounts what follows it: after hints of total weight h, right
steps and the solve count ``1 - h`` of their weight (a solve after the next-step hint counts a
quarter, after the whole ladder nothing). So a problem solved after hints ends lower than one solved
unaided, and a long problem or a hint clicked many times cannot outweigh a problem. Learning from
practice is credited once per problem, when it ends (solved or failed): BKT's ``p_learn`` transition.
The ability gets no such credit: it moves with evidence only, so it may lag a fast learner by a problem
or two but never runs ahead of a slow one. (An assumed gain of 10 points per problem made about half of
the mastery verdicts false in bench/adaptivity.py whenever learners learned slower than assumed.)

Each skill's BKT parameters (:class:`BKTParams`) are part of its declaration in :mod:`tutor.problems`;
:func:`params_for` reads them there.

A skipped problem is not a solved one, but it is not a failure either: the learner chose to move on,
which says little about what they know. So a skip ends the problem (nothing can follow it) and, as a
give-up does, breaks the run of unaided solves that mastery needs (skipping cannot shelter a run from
a problem going badly). Beyond that it carries no weight: no BKT observation, no Elo change, no
learning credit (skipping is not practice: ten skips must not raise mastery) and it is not counted
among the problems finished. The steps and hints given before the skip have already counted.

Pure: frozen dataclasses in, new frozen dataclasses out; no I/O.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from tutor.problems import SKILLS
from tutor.problems.problem import DEFAULT_PARAMS, BKTParams

EvidenceKind = Literal[
    "step_correct", "step_wrong", "hint", "problem_solved", "problem_failed", "problem_skipped"
]

LEVELS = (1, 2, 3, 4, 5)
ELO_SCALE = 400.0  # rating points for a factor 10 in the odds of success, as in chess
LEVEL_STEP = 150.0  # rating points between adjacent difficulty levels
INITIAL_ABILITY = 850.0  # = difficulty_rating(2): a new learner solves level 1 about 70% of the time
# Elo K-factor: fast while we know little, never frozen since learners grow. This and LEVEL_STEP were
# picked by running bench/adaptivity.py; they are judgement, not fitted to data.
K_START, K_MIN = 160.0, 80.0
HINT_WEIGHTS = {1: 0.25, 2: 0.5, 3: 0.75}
PROBLEM_CAP = 1.0  # right, and wrong, evidence of one problem add up to at most one textbook opportunity
STEP_CAP = 0.5  # ... of which steps take at most this much: the outcome always carries the rest
MASTERY_RUN = 3  # problems solved unaided in a row before a skill can count as mastered
_EVIDENCE = {  # kind -> (observed right, weight); hints take their weight from HINT_WEIGHTS
    "problem_solved": (True, 1.0),
    "problem_failed": (False, 1.0),
    "problem_skipped": (False, 0.0),  # see the module docstring: ends the problem, shows nothing
    "step_correct": (True, 0.25),
    "step_wrong": (False, 0.5),
    "hint": (False, None),
}
_ENDS_PROBLEM = frozenset({"problem_solved", "problem_failed", "problem_skipped"})
_WORKED_TO_THE_END = frozenset({"problem_solved", "problem_failed"})  # practice: learning credit, counted


def params_for(skill_id: str) -> BKTParams:
    """The BKT parameters of a skill, as its declaration gives them; the defaults for an unknown skill."""
    return SKILLS[skill_id].bkt if skill_id in SKILLS else DEFAULT_PARAMS


@dataclass(frozen=True)
class Evidence:
    """One thing the learner did on a problem; ``hint_level`` (1..3) only for hints."""

    kind: EvidenceKind
    hint_level: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in _EVIDENCE:
            raise ValueError(f"unknown evidence kind {self.kind!r}; expected one of {', '.join(_EVIDENCE)}")
        if self.kind == "hint" and self.hint_level not in HINT_WEIGHTS:
            raise ValueError(f"a hint needs hint_level 1, 2 or 3, got {self.hint_level!r}")
        if self.kind != "hint" and self.hint_level is not None:
            raise ValueError(f"hint_level is only meaningful for hints, not for {self.kind!r}")

    @property
    def observed_right(self) -> bool:
        return _EVIDENCE[self.kind][0]

    @property
    def weight(self) -> float:
        """How much this counts compared with a whole problem (see the module docstring)."""
        return HINT_WEIGHTS[self.hint_level] if self.kind == "hint" else _EVIDENCE[self.kind][1]

    @property
    def ends_problem(self) -> bool:
        return self.kind in _ENDS_PROBLEM

    @property
    def worked_to_the_end(self) -> bool:
        """Solved or failed: a problem practised, so it earns learning credit and counts as finished."""
        return self.kind in _WORKED_TO_THE_END

    @property
    def is_help_or_error(self) -> bool:
        """A hint or a wrong step: the problem is no longer solved unaided."""
        return self.kind in ("hint", "step_wrong")


@dataclass(frozen=True)
class SkillState:
    """What we believe about one skill of one learner."""

    p_mastery: float
    ability: float = INITIAL_ABILITY
    attempts: int = 0  # problems finished (solved or failed; skipped ones do not count)
    solved_in_a_row: int = 0  # the latest problems solved unaided, without a hint or a wrong step

    def __post_init__(self) -> None:
        if not 0.0 <= self.p_mastery <= 1.0:
            raise ValueError(f"p_mastery must be a probability in [0, 1], got {self.p_mastery}")
        if not math.isfinite(self.ability):
            raise ValueError(f"ability must be a finite rating, got {self.ability}")
        if self.attempts < 0:
            raise ValueError(f"attempts cannot be negative, got {self.attempts}")
        if not 0 <= self.solved_in_a_row <= self.attempts:  # a run is made of finished problems
            raise ValueError(f"solved_in_a_row must be 0..{self.attempts}, got {self.solved_in_a_row}")


@dataclass(frozen=True)
class LearnerState:
    """All skills of one learner; skills never practised are absent and read as fresh."""

    skills: Mapping[str, SkillState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "skills", MappingProxyType(dict(self.skills)))

    def get(self, skill_id: str, params: BKTParams | None = None) -> SkillState:
        """The state of ``skill_id``, or the prior of a skill never practised."""
        if skill_id in self.skills:
            return self.skills[skill_id]
        return SkillState(p_mastery=(params or params_for(skill_id)).p_init)

    def with_skill(self, skill_id: str, skill: SkillState) -> LearnerState:
        return LearnerState({**self.skills, skill_id: skill})


def bkt_posterior(p_mastery: float, observed_right: bool, params: BKTParams, weight: float = 1.0) -> float:
    """P(knows the skill | observation), with the likelihood tempered by ``weight``."""
    if observed_right:
        if_known, if_unknown = 1.0 - params.p_slip, params.p_guess
    else:
        if_known, if_unknown = params.p_slip, 1.0 - params.p_guess
    known = p_mastery * if_known**weight
    return known / (known + (1.0 - p_mastery) * if_unknown**weight)


def bkt_learn(p_mastery: float, params: BKTParams) -> float:
    """The chance of knowing the skill after one more practice opportunity."""
    return p_mastery + (1.0 - p_mastery) * params.p_learn


def predicted_success(ability: float, problem_rating: float) -> float:
    """Logistic Elo: the chance that a learner of ``ability`` solves a problem of ``problem_rating``."""
    return 1.0 / (1.0 + 10.0 ** ((problem_rating - ability) / ELO_SCALE))


def elo_update(ability: float, problem_rating: float, score: float, k: float) -> tuple[float, float]:
    """New (ability, problem rating) after a result ``score`` in [0, 1]; the points move, none are made."""
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"score must be in [0, 1], got {score}")
    if not k > 0.0:
        raise ValueError(f"the K-factor must be positive, got {k}")
    delta = k * (score - predicted_success(ability, problem_rating))
    return ability + delta, problem_rating - delta


def k_factor(attempts: int) -> float:
    """Large steps while a skill is new, settling to ``K_MIN`` so the rating can still follow growth."""
    return max(K_MIN, K_START / math.sqrt(1.0 + attempts / 4.0))


def difficulty_rating(level: int) -> float:
    """The Elo rating of a problem of difficulty ``level`` (1 easiest .. 5 hardest)."""
    if level not in LEVELS:
        raise ValueError(f"difficulty level must be 1..5, got {level!r}")
    return INITIAL_ABILITY + LEVEL_STEP * (level - 2)


MASTERY_RATING = difficulty_rating(LEVELS[-1])


def problem_weights(evidence: Sequence[Evidence]) -> list[float]:
    """The weight each piece of one problem's evidence carries, in order, under the per-problem caps.

    See the module docstring: right and wrong evidence each add up to at most ``PROBLEM_CAP``, steps to
    at most ``STEP_CAP`` of it, the outcome carries the rest, and hints discount the right evidence after
    them by the help they gave (their weights, added up to at most 1).
    """
    right = wrong = right_steps = wrong_steps = help_given = 0.0
    weights = []
    for position, item in enumerate(evidence):
        if item.ends_problem and position != len(evidence) - 1:
            raise ValueError("a problem's evidence ends with its outcome; nothing can follow it")
        if item.kind == "step_correct":
            weight = min(item.weight, STEP_CAP - right_steps)
            right_steps += weight
        elif item.kind == "step_wrong":
            weight = min(item.weight, STEP_CAP - wrong_steps, PROBLEM_CAP - wrong)
            wrong_steps += weight
        elif item.kind == "hint":
            weight = min(item.weight, PROBLEM_CAP - wrong)
            help_given = min(1.0, help_given + item.weight)
        elif item.kind == "problem_skipped":  # an outcome that shows nothing about the skill
            weight = 0.0
        else:  # the outcome: what is left of its side's budget
            weight = PROBLEM_CAP - (right if item.observed_right else wrong)
        if item.observed_right:
            right += weight
            weight *= 1.0 - help_given
        else:
            wrong += weight
        weights.append(max(0.0, weight))
    return weights


def update(
    state: LearnerState,
    skill_id: str,
    evidence: Evidence,
    problem_rating: float,
    params: BKTParams | None = None,
    *,
    earlier: Sequence[Evidence] = (),
) -> LearnerState:
    """The learner state after one piece of evidence on a problem of ``problem_rating`` in ``skill_id``.

    ``earlier`` is the evidence already applied for the same problem, oldest first: it sets how much of
    the problem's capped evidence is left, and whether a solve was unaided.
    """
    if not isinstance(skill_id, str) or not skill_id:
        raise ValueError(f"skill_id must be a non-empty string, got {skill_id!r}")
    if not math.isfinite(problem_rating):
        raise ValueError(f"problem_rating must be a finite rating, got {problem_rating}")
    params = params or params_for(skill_id)
    skill = state.get(skill_id, params)
    weight = problem_weights([*earlier, evidence])[-1]
    p = bkt_posterior(skill.p_mastery, evidence.observed_right, params, weight)
    ability, score = skill.ability, float(evidence.observed_right)
    if weight > 0.0:  # a weight of 0 changes nothing (and Elo needs a positive K)
        ability, _ = elo_update(ability, problem_rating, score, k_factor(skill.attempts) * weight)
    run = skill.solved_in_a_row
    if evidence.worked_to_the_end:
        p = bkt_learn(p, params)
    if evidence.ends_problem:
        unaided = evidence.kind == "problem_solved" and not any(e.is_help_or_error for e in earlier)
        run = run + 1 if unaided else 0
    attempts = skill.attempts + int(evidence.worked_to_the_end)
    after = SkillState(p_mastery=p, ability=ability, attempts=attempts, solved_in_a_row=run)
    return state.with_skill(skill_id, after)


def is_mastered(skill: SkillState, threshold: float = 0.95) -> bool:
    """BKT is confident, the ability reaches the hardest problems, and the latest were solved unaided."""
    return (skill.p_mastery >= threshold and skill.ability >= MASTERY_RATING
            and skill.solved_in_a_row >= MASTERY_RUN)


def choose_level(ability: float, target: float = 0.7) -> int:
    """The difficulty level whose predicted success is closest to ``target``."""
    if not 0.0 < target < 1.0:
        raise ValueError(f"target success rate must be strictly between 0 and 1, got {target}")
    return min(LEVELS, key=lambda level: abs(predicted_success(ability, difficulty_rating(level)) - target))


def choose_next(
    state: LearnerState,
    skills: Sequence[str],
    prerequisites: Mapping[str, Sequence[str]] | None = None,
    *,
    rng: random.Random,
    target: float = 0.7,
    threshold: float = 0.95,
) -> tuple[str, int]:
    """The next (skill, level) to practise.

    ``skills`` are ordered easy to hard and ``prerequisites`` name earlier skills. The skill is drawn
    by ``rng`` among the unmastered skills whose prerequisites are all mastered (interleaving ready
    skills), or among all skills for review once everything is mastered.
    """
    prerequisites = prerequisites or {}
    _check_curriculum(skills, prerequisites)
    mastered = {s for s in skills if is_mastered(state.get(s), threshold)}
    ready = [s for s in skills if s not in mastered and mastered.issuperset(prerequisites.get(s, ()))]
    skill_id = rng.choice(ready or list(skills))
    return skill_id, choose_level(state.get(skill_id).ability, target)


def _check_curriculum(skills: Sequence[str], prerequisites: Mapping[str, Sequence[str]]) -> None:
    if isinstance(skills, str) or not skills:
        raise ValueError("skills must be a non-empty sequence of skill ids")
    if len(set(skills)) != len(skills):
        raise ValueError("skills must not repeat a skill id")
    position = {s: i for i, s in enumerate(skills)}
    for skill_id, needed in prerequisites.items():
        for prerequisite in needed:
            if prerequisite not in position:
                raise ValueError(f"prerequisite {prerequisite!r} of {skill_id!r} is not in the skill list")
            if skill_id in position and position[prerequisite] >= position[skill_id]:
                raise ValueError(f"prerequisite {prerequisite!r} must come before {skill_id!r}")
