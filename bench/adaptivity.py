"""Adaptive practice against a fixed easy-to-hard worksheet, on simulated learners who learn differently.

    python bench/adaptivity.py --learners 200 --seed 0

Every simulated learner has a hidden skill theta per skill, on the Elo scale of ``tutor.learner``,
starting around 750 (a little below level 1), and a personal learning rate (fast and slow learners).
Solving a problem of true difficulty d succeeds with probability
``GUESS + (1 - GUESS - SLIP) * logistic(theta - d)``; the true difficulty of a problem scatters around
its level's rating. The tutor's model knows neither the guess/slip rates nor the scatter. A skill is
truly mastered when theta reaches the hardest level's rating (``MASTERY_RATING``).

How a problem changes theta is the assumption that decides which policy wins, and nobody has measured
it for these learners, so the comparison runs on several learning models (``SIMULATIONS``):

* zone 0.7: practice near the learner's level teaches most, peaking where problems are solved 70% of
  the time, the very target the tutor aims at (so this one flatters the adaptive policy);
* zone 0.5: the same, peaking at 50% success, where the worksheet happens to fit the average learner;
* any practice: every problem teaches the same, however easy or hard, solved or not;
* success streaks: only a problem solved right after another solved one teaches (consolidation).

Policies, on the same learners:

* adaptive: ``tutor.learner.choose_next`` at target success 0.7 over a chain of five skills, updating
  the learner model with each problem's outcome, until the model says every skill is mastered.
* fixed: the usual worksheet, for each skill in order ``n`` problems rising evenly from level 1 to 5.
  ``n`` is swept; the fixed policy is credited with the smallest ``n`` whose final true mastery reaches
  the adaptive policy's, so both are compared at the same final mastery. The tutor's learner model
  watches the worksheet too, so its mastery verdicts can be scored on both policies.

Reported per policy: problems per learner; time to mastery (problems on a skill until the model first
declares it mastered, and until it truly is); false mastery (the model declared a skill mastered
while the simulated skill was below the mastery rating at that moment).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tutor.learner import (
    LEVELS,
    MASTERY_RATING,
    MASTERY_RUN,
    Evidence,
    LearnerState,
    choose_next,
    difficulty_rating,
    is_mastered,
    update,
)

SKILLS = ("linear_one_step", "linear_two_step", "linear_both_sides", "linear_inequalities", "linear_systems")
PREREQUISITES = {later: (earlier,) for earlier, later in itertools.pairwise(SKILLS)}
START_MEAN, START_SD = 750.0, 100.0  # hidden skill before practice
RATE_SD = 0.35  # log-normal spread of personal learning rates
GUESS, SLIP = 0.1, 0.05
DIFFICULTY_SD = 40.0  # true difficulty of a problem around its level's rating
GAIN, WIDTH = 30.0, 150.0  # zone models: rating points learnt per problem at the best difficulty; reach
ANY_GAIN = 12.0  # any-practice model: rating points learnt from every problem
STREAK_GAIN = 25.0  # streak model: rating points learnt from a problem solved right after a solved one
MAX_PROBLEMS_PER_SKILL = 80  # the adaptive run gives up on a learner after this many per skill
FIXED_SWEEP = range(5, 121)
SOLVED, FAILED = Evidence("problem_solved"), Evidence("problem_failed")

CAVEATS = [
    "the learning models are assumptions, not measurements: the ranking of the policies changes with them",
    "simulated learners never ask for hints or make wrong steps: the tutor sees one outcome per problem, "
    "so the per-problem evidence caps and hint discounts are not exercised here",
    "no forgetting and no transfer between skills; every skill shares one difficulty scale",
    f"'truly mastered' is itself a line drawn at theta = {MASTERY_RATING:.0f}: a learner just there "
    "solves level-5 problems about half the time, so a verdict a few points short is nearly right",
    "the adaptive policy stops practising a skill once the model declares it mastered, the worksheet "
    "goes on: their problems to true mastery count different kinds of practice",
    "the worksheet is credited with the smallest length that reaches the adaptive policy's final true "
    "mastery; a real worksheet has one length for everybody",
    f"the learner model's mastery needs p >= 0.95, ability >= {MASTERY_RATING:.0f} and {MASTERY_RUN} "
    "problems solved in a row; false mastery is judged against the simulated skill at that moment",
]


def success_probability(theta: np.ndarray | float, difficulty: np.ndarray | float) -> np.ndarray | float:
    return GUESS + (1.0 - GUESS - SLIP) / (1.0 + 10.0 ** ((difficulty - theta) / 400.0))


def best_offset(peak_success: float) -> float:
    """How far below theta the most instructive problems lie (inverse of ``success_probability``)."""
    logistic = (peak_success - GUESS) / (1.0 - GUESS - SLIP)
    if not 0.0 < logistic < 1.0:
        raise ValueError(f"peak success must lie between {GUESS} and {1 - SLIP}, got {peak_success}")
    return 400.0 * math.log10(logistic / (1.0 - logistic))


def learning_gain(
    theta: np.ndarray | float, difficulty: np.ndarray | float, rate: np.ndarray | float, offset: float
) -> np.ndarray | float:
    """Zone models: hidden-skill growth from one problem (works on floats and on numpy arrays alike)."""
    return rate * GAIN * np.exp(-0.5 * ((difficulty - theta + offset) / WIDTH) ** 2)


# gain(theta, difficulty, rate, solved, solved_before): rating points learnt from one problem, where
# solved_before says whether the learner's previous problem in this skill was solved.
Gain = Callable[..., np.ndarray | float]


@dataclass(frozen=True)
class Simulation:
    """One assumption about how learners learn."""

    name: str
    story: str
    gain: Gain


def _zone(peak: float) -> Simulation:
    offset = best_offset(peak)
    return Simulation(
        f"zone {peak}",
        f"gain = rate * {GAIN:.0f} * exp(-((d - best) / {WIDTH:.0f})^2 / 2), best = the difficulty solved "
        f"with probability {peak}: practice near the learner's level teaches most; solving and failing alike",
        lambda theta, difficulty, rate, solved, solved_before: learning_gain(theta, difficulty, rate, offset),
    )


SIMULATIONS = (
    _zone(0.7),
    _zone(0.5),
    Simulation(
        "any practice",
        f"gain = rate * {ANY_GAIN:.0f} for every problem, however easy or hard, solved or not",
        lambda theta, difficulty, rate, solved, solved_before: rate * ANY_GAIN * np.ones_like(theta),
    ),
    Simulation(
        "success streaks",
        f"gain = rate * {STREAK_GAIN:.0f} for a problem solved right after another solved problem of the "
        "skill, else nothing: learning needs runs of success",
        lambda theta, difficulty, rate, solved, solved_before: rate * STREAK_GAIN * (solved & solved_before),
    ),
)


def draw_learners(learners: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Hidden starting skills (learners x skills) and learning rates (learners)."""
    theta = rng.normal(START_MEAN, START_SD, size=(learners, len(SKILLS)))
    rate = rng.lognormal(0.0, RATE_SD, size=learners)
    return theta, rate


@dataclass
class SkillRecord:
    """One learner on one skill: problems done, and when the model declared and the skill reached mastery."""

    problems: int = 0
    declared_after: int | None = None
    false_mastery: bool = False  # declared while the simulated skill was below the mastery rating
    shortfall: float = 0.0  # ... by this many rating points
    truly_after: int | None = None

    def observe(self, theta: float, state: LearnerState, skill_id: str) -> None:
        """Note what holds after one more problem on this skill."""
        self.problems += 1
        if self.truly_after is None and theta >= MASTERY_RATING:
            self.truly_after = self.problems
        if self.declared_after is None and is_mastered(state.get(skill_id)):
            self.declared_after = self.problems
            self.false_mastery = theta < MASTERY_RATING
            self.shortfall = max(0.0, MASTERY_RATING - theta)


def run_adaptive(
    theta: np.ndarray, rate: float, simulation: Simulation, rng: random.Random
) -> tuple[int, np.ndarray, list[SkillRecord]]:
    """One learner taught by the learner model: (problems used, final hidden skills, per-skill records)."""
    theta = theta.copy()
    state = LearnerState()
    records = [SkillRecord() for _ in SKILLS]
    solved_before = [False] * len(SKILLS)
    problems = 0
    while problems < MAX_PROBLEMS_PER_SKILL * len(SKILLS):
        if all(is_mastered(state.get(s)) for s in SKILLS):
            break
        skill_id, level = choose_next(state, SKILLS, PREREQUISITES, rng=rng)
        i = SKILLS.index(skill_id)
        difficulty = difficulty_rating(level) + rng.gauss(0.0, DIFFICULTY_SD)
        solved = rng.random() < success_probability(theta[i], difficulty)
        theta[i] += simulation.gain(theta[i], difficulty, rate, solved, solved_before[i])
        solved_before[i] = solved
        state = update(state, skill_id, SOLVED if solved else FAILED, difficulty_rating(level))
        records[i].observe(theta[i], state, skill_id)
        problems += 1
    return problems, theta, records


def fixed_levels(per_skill: int) -> list[int]:
    """The worksheet: ``per_skill`` problems rising evenly from level 1 to level 5."""
    return [LEVELS[len(LEVELS) * i // per_skill] for i in range(per_skill)]


def run_fixed(
    theta: np.ndarray, rate: np.ndarray, per_skill: int, simulation: Simulation, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All learners through the same worksheet at once.

    Returns the final hidden skills, and per (learner, skill, problem) whether it was solved and the
    hidden skill right after it, so the learner model can be replayed on the same history.
    """
    theta = theta.copy()
    learners = len(rate)
    solved = np.zeros((learners, len(SKILLS), per_skill), dtype=bool)
    after = np.zeros((learners, len(SKILLS), per_skill))
    for i in range(len(SKILLS)):
        solved_before = np.zeros(learners, dtype=bool)
        for j, level in enumerate(fixed_levels(per_skill)):
            difficulty = difficulty_rating(level) + rng.normal(0.0, DIFFICULTY_SD, size=learners)
            solved[:, i, j] = rng.random(learners) < success_probability(theta[:, i], difficulty)
            theta[:, i] += simulation.gain(theta[:, i], difficulty, rate, solved[:, i, j], solved_before)
            solved_before = solved[:, i, j]
            after[:, i, j] = theta[:, i]
    return theta, solved, after


def watch_fixed(solved: np.ndarray, after: np.ndarray) -> list[list[SkillRecord]]:
    """The learner model replayed on each learner's worksheet: when it would have declared mastery."""
    levels = fixed_levels(solved.shape[2])
    records = []
    for learner_solved, learner_after in zip(solved, after, strict=True):
        state, mine = LearnerState(), []
        for i, skill_id in enumerate(SKILLS):
            record = SkillRecord()
            for j, level in enumerate(levels):
                outcome = SOLVED if learner_solved[i, j] else FAILED
                state = update(state, skill_id, outcome, difficulty_rating(level))
                record.observe(float(learner_after[i, j]), state, skill_id)
            mine.append(record)
        records.append(mine)
    return records


def mastery(theta: np.ndarray) -> dict[str, float]:
    return {
        "truly_mastered": float(np.mean(theta >= MASTERY_RATING)),
        "p_solve_level5": float(np.mean(success_probability(theta, MASTERY_RATING))),
    }


def verdicts(records: list[list[SkillRecord]]) -> dict[str, float | None]:
    """Time to mastery and false mastery over all (learner, skill) records."""
    flat = [r for learner in records for r in learner]
    declared = [r for r in flat if r.declared_after is not None]
    false = [r for r in declared if r.false_mastery]
    reached = [r for r in flat if r.truly_after is not None]
    return {
        "declared_share": len(declared) / len(flat),
        "false_mastery": len(false) / len(declared) if declared else None,
        "false_shortfall": float(np.mean([r.shortfall for r in false])) if false else None,
        "problems_to_declared": float(np.mean([r.declared_after for r in declared])) if declared else None,
        "problems_to_true": float(np.mean([r.truly_after for r in reached])) if reached else None,
    }


def compare(learners: int, seed: int, simulation: Simulation = SIMULATIONS[0]) -> dict:
    """Both policies on the same simulated learners under one learning model: the numbers to report."""
    if learners < 1:
        raise ValueError(f"need at least one simulated learner, got {learners}")
    theta, rate = draw_learners(learners, np.random.default_rng(seed))
    rngs = [random.Random(seed * 1_000_003 + j) for j in range(learners)]
    runs = [run_adaptive(theta[j], rate[j], simulation, rngs[j]) for j in range(learners)]
    problems = np.array([p for p, _, _ in runs])
    adaptive = {"problems_mean": float(problems.mean()), "problems_median": float(np.median(problems)),
                "problems_p90": float(np.percentile(problems, 90)),
                "gave_up": int(np.sum(problems >= MAX_PROBLEMS_PER_SKILL * len(SKILLS))),
                **mastery(np.stack([t for _, t, _ in runs])), **verdicts([r for _, _, r in runs])}
    sweep = []
    for per_skill in FIXED_SWEEP:
        final, _, _ = run_fixed(theta, rate, per_skill, simulation, np.random.default_rng(seed + 1))
        sweep.append({"per_skill": per_skill, "problems_mean": float(per_skill * len(SKILLS)),
                      **mastery(final)})
    same_effort = min(sweep, key=lambda row: abs(row["problems_mean"] - adaptive["problems_mean"]))
    matched = next((row for row in sweep if row["truly_mastered"] >= adaptive["truly_mastered"]), None)
    for row in {id(r): r for r in (same_effort, matched) if r is not None}.values():
        # The same draws again, now watched by the learner model.
        worksheet = run_fixed(theta, rate, row["per_skill"], simulation, np.random.default_rng(seed + 1))
        row.update(verdicts(watch_fixed(*worksheet[1:])))
    saving = None if matched is None else 1.0 - adaptive["problems_mean"] / matched["problems_mean"]
    return {"simulation": simulation.name, "assumption": simulation.story, "adaptive": adaptive,
            "fixed_same_effort": same_effort, "fixed_matched": matched, "saving": saving,
            "fixed_sweep": sweep}


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def table(result: dict) -> str:
    """A markdown table: adaptive, the matched worksheet, and a few other worksheet lengths for context."""
    lines = ["| policy | problems per learner | truly mastered skills | declared mastered | false mastery "
             "| ... short by (rating) | problems to declared mastery | problems to true mastery |",
             "|---|---|---|---|---|---|---|---|"]

    def row(name: str, r: dict) -> str:
        return (f"| {name} | {r['problems_mean']:.1f} | {r['truly_mastered']:.1%} | "
                f"{_percent(r.get('declared_share'))} | {_percent(r.get('false_mastery'))} | "
                f"{_number(r.get('false_shortfall'))} | {_number(r.get('problems_to_declared'))} | "
                f"{_number(r.get('problems_to_true'))} |")

    lines.append(row("adaptive (target 0.7)", result["adaptive"]))
    marks = {id(result["fixed_same_effort"]): "same problems"}
    if result["fixed_matched"] is not None:
        marks[id(result["fixed_matched"])] = "same mastery"
    for r in result["fixed_sweep"]:
        if id(r) in marks:
            lines.append(row(f"fixed, {r['per_skill']} per skill <- {marks[id(r)]}", r))
        elif r["per_skill"] % 20 == 0:
            lines.append(row(f"fixed, {r['per_skill']} per skill", r))
    return "\n".join(lines)


def summary(result: dict) -> str:
    adaptive, effort = result["adaptive"], result["fixed_same_effort"]
    same_effort = (f"for about the same number of problems ({adaptive['problems_mean']:.0f} per learner), "
                   f"adaptive practice truly masters {adaptive['truly_mastered']:.1%} of the skills and the "
                   f"worksheet {effort['truly_mastered']:.1%}")
    if result["saving"] is None:
        longest = FIXED_SWEEP[-1]
        return (f"{same_effort}; no worksheet up to {longest} problems per skill ({longest * len(SKILLS)} "
                "per learner) reaches the adaptive policy's true mastery")
    saving = result["saving"]
    change = f"{saving:.1%} fewer" if saving >= 0 else f"{-saving:.1%} more"
    matched = result["fixed_matched"]
    return (f"{same_effort}; for the same share of truly mastered skills adaptive needs {change} problems "
            f"({adaptive['problems_mean']:.1f} vs {matched['problems_mean']:.1f} per learner)")


def report(results: list[dict], learners: int, seed: int, command: str) -> str:
    """The markdown report: the shared set-up, one section per learning model, and the caveats."""
    sections = "\n\n".join(
        f"## {r['simulation']}\n\nLearning: {r['assumption']}.\n\n{table(r)}\n\n{summary(r)}."
        for r in results
    )
    caveats = "\n".join(f"- {c}" for c in CAVEATS)
    return (
        f"# Adaptive vs fixed practice ({learners} simulated learners, seed {seed})\n\n"
        f"Produced by `{command}`.\n\nSet-up (assumed, see the script's docstring):\n\n"
        f"- hidden skill starts at N({START_MEAN:.0f}, {START_SD:.0f}); "
        f"learning rate log-normal, sd {RATE_SD}\n"
        f"- P(solve) = {GUESS} + {1 - GUESS - SLIP:.2f} * logistic((theta - d) / 400, base 10); "
        f"true difficulty = level rating + N(0, {DIFFICULTY_SD:.0f})\n"
        f"- truly mastered: theta >= {MASTERY_RATING:.0f} (the rating of level-5 problems)\n"
        "- false mastery: share of the model's mastery declarations made while theta was below that "
        "(and by how much, on average); time to mastery: problems on a skill until the model first "
        "declared it mastered, and until theta first reached the mastery rating\n"
        "- worksheet rows other than the matched one show true mastery only: the learner model is "
        "replayed on the matched worksheet\n\n"
        f"{sections}\n\n## Caveats\n\n{caveats}\n"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    if args.learners < 1:
        parser.error("--learners must be at least 1")
    started = time.perf_counter()
    results = [compare(args.learners, args.seed, simulation) for simulation in SIMULATIONS]
    command = f"python bench/adaptivity.py --learners {args.learners} --seed {args.seed}"
    text = report(results, args.learners, args.seed, command)
    print(f"{text}\n[{time.perf_counter() - started:.1f} s]")
    for result in results:
        del result["fixed_sweep"]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "adaptivity.json").write_text(json.dumps(
        {"command": command, "learners": args.learners, "seed": args.seed, "skills": list(SKILLS),
         "caveats": CAVEATS, "simulations": results}, indent=2) + "\n")
    (args.out / "adaptivity.md").write_text(text)


if __name__ == "__main__":
    main()
