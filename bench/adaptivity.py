"""Adaptive practice against a fixed easy-to-hard worksheet, on simulated learners.

    python bench/adaptivity.py --learners 200 --seed 0

Learning model (an assumption, not a measurement; printed with the results):

* Every simulated learner has a hidden skill theta per skill, on the Elo scale of ``tutor.learner``,
  starting around 750 (a little below level 1), and a personal learning rate (fast and slow learners).
* Solving a problem of true difficulty d succeeds with probability
  ``GUESS + (1 - GUESS - SLIP) * logistic(theta - d)``; the true difficulty of a problem scatters around
  its level's rating. The tutor's model knows neither the guess/slip rates nor the scatter.
* Each problem raises theta by ``rate * GAIN * exp(-((d - theta) / WIDTH)^2 / 2)``: practice at the
  learner's own level teaches most, far too easy or far too hard problems teach almost nothing (zone
  of proximal development). Solving and failing teach alike, and skills do not transfer.
* A skill is truly mastered when theta reaches the hardest level's rating (``MASTERY_RATING``).

Policies, on the same learners:

* adaptive: ``tutor.learner.choose_next`` at target success 0.7 over a chain of five skills, updating
  the learner model with each problem's outcome, until the model says every skill is mastered.
* fixed: the usual worksheet, for each skill in order ``n`` problems rising evenly from level 1 to 5.
  ``n`` is swept; the fixed policy is credited with the smallest ``n`` whose final true mastery reaches
  the adaptive policy's, so both are compared at the same final mastery.

The tutor aims at 0.7 success because it assumes such problems teach most; the headline run shares
that assumption. A sensitivity run on the same learners puts the peak of learning at 0.5 success
instead, where the worksheet happens to fit the average learner well and wins; both are reported.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import time
from pathlib import Path

import numpy as np

from tutor.learner import (
    LEVELS,
    MASTERY_RATING,
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
GAIN, WIDTH = 30.0, 150.0  # rating points learnt per problem at the best difficulty; reach of that effect
PEAK_SUCCESS = 0.7  # problems solved this often teach most; the sensitivity run moves it to 0.5
MAX_PROBLEMS_PER_SKILL = 80  # the adaptive run gives up on a learner after this many per skill
FIXED_SWEEP = range(5, 81)


def assumptions(peak_success: float) -> list[str]:
    return [
        f"hidden skill starts at N({START_MEAN:.0f}, {START_SD:.0f}); learning rate log-normal, sd {RATE_SD}",
        f"P(solve) = {GUESS} + {1 - GUESS - SLIP:.2f} * logistic((theta - d) / 400, base 10); "
        f"true difficulty = level rating + N(0, {DIFFICULTY_SD:.0f})",
        f"gain per problem = rate * {GAIN:.0f} * exp(-((d - best) / {WIDTH:.0f})^2 / 2), "
        f"best = the difficulty the learner solves with probability {peak_success}: practice near the "
        "learner's level teaches most; far too easy or too hard teaches almost nothing",
        "solving and failing teach alike; no transfer between skills; no forgetting",
        f"truly mastered: theta >= {MASTERY_RATING:.0f} (the rating of level-5 problems)",
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
    """Hidden-skill growth from one problem (works on floats and on numpy arrays alike)."""
    return rate * GAIN * np.exp(-0.5 * ((difficulty - theta + offset) / WIDTH) ** 2)


def draw_learners(learners: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Hidden starting skills (learners x skills) and learning rates (learners)."""
    theta = rng.normal(START_MEAN, START_SD, size=(learners, len(SKILLS)))
    rate = rng.lognormal(0.0, RATE_SD, size=learners)
    return theta, rate


def run_adaptive(theta: np.ndarray, rate: float, offset: float, rng: random.Random) -> tuple[int, np.ndarray]:
    """One learner taught by the learner model: (problems used, final hidden skills)."""
    theta = theta.copy()
    state = LearnerState()
    problems = 0
    while problems < MAX_PROBLEMS_PER_SKILL * len(SKILLS):
        if all(is_mastered(state.get(s)) for s in SKILLS):
            break
        skill_id, level = choose_next(state, SKILLS, PREREQUISITES, rng=rng)
        i = SKILLS.index(skill_id)
        difficulty = difficulty_rating(level) + rng.gauss(0.0, DIFFICULTY_SD)
        solved = rng.random() < success_probability(theta[i], difficulty)
        theta[i] += learning_gain(theta[i], difficulty, rate, offset)
        evidence = Evidence("problem_solved" if solved else "problem_failed")
        state = update(state, skill_id, evidence, difficulty_rating(level))
        problems += 1
    return problems, theta


def fixed_levels(per_skill: int) -> list[int]:
    """The worksheet: ``per_skill`` problems rising evenly from level 1 to level 5."""
    return [LEVELS[len(LEVELS) * i // per_skill] for i in range(per_skill)]


def run_fixed(
    theta: np.ndarray, rate: np.ndarray, per_skill: int, offset: float, rng: np.random.Generator
) -> np.ndarray:
    """All learners through the same worksheet at once: final hidden skills."""
    theta = theta.copy()
    for i in range(len(SKILLS)):
        for level in fixed_levels(per_skill):
            difficulty = difficulty_rating(level) + rng.normal(0.0, DIFFICULTY_SD, size=len(rate))
            theta[:, i] += learning_gain(theta[:, i], difficulty, rate, offset)
    return theta


def mastery(theta: np.ndarray) -> dict[str, float]:
    return {
        "truly_mastered": float(np.mean(theta >= MASTERY_RATING)),
        "p_solve_level5": float(np.mean(success_probability(theta, MASTERY_RATING))),
    }


def compare(learners: int, seed: int, peak_success: float = PEAK_SUCCESS) -> dict:
    """Both policies on the same simulated learners; the numbers behind the report."""
    if learners < 1:
        raise ValueError(f"need at least one simulated learner, got {learners}")
    offset = best_offset(peak_success)
    theta, rate = draw_learners(learners, np.random.default_rng(seed))
    rngs = [random.Random(seed * 1_000_003 + j) for j in range(learners)]
    runs = [run_adaptive(theta[j], rate[j], offset, rngs[j]) for j in range(learners)]
    problems = np.array([p for p, _ in runs])
    adaptive = {"problems_mean": float(problems.mean()), "problems_median": float(np.median(problems)),
                "problems_p90": float(np.percentile(problems, 90)),
                "gave_up": int(np.sum(problems >= MAX_PROBLEMS_PER_SKILL * len(SKILLS))),
                **mastery(np.stack([t for _, t in runs]))}
    sweep = []
    for per_skill in FIXED_SWEEP:
        final = run_fixed(theta, rate, per_skill, offset, np.random.default_rng(seed + 1))
        problems_mean = float(per_skill * len(SKILLS))
        sweep.append({"per_skill": per_skill, "problems_mean": problems_mean, **mastery(final)})
    matched = next((row for row in sweep if row["truly_mastered"] >= adaptive["truly_mastered"]), None)
    saving = None if matched is None else 1.0 - adaptive["problems_mean"] / matched["problems_mean"]
    return {"learners": learners, "seed": seed, "peak_success": peak_success, "skills": list(SKILLS),
            "assumptions": assumptions(peak_success), "adaptive": adaptive, "fixed_matched": matched,
            "saving": saving, "fixed_sweep": sweep}


def table(result: dict) -> str:
    """A markdown table: adaptive, the matched worksheet, and a few others for context."""
    rows = [("adaptive (target 0.7)", result["adaptive"])]
    matched = result["fixed_matched"]
    for row in result["fixed_sweep"]:
        if row is matched or row["per_skill"] % 10 == 0:
            mark = " <- same mastery" if row is matched else ""
            rows.append((f"fixed, {row['per_skill']} per skill{mark}", row))
    lines = ["| policy | problems per learner | truly mastered skills | P(solve level 5) |"]
    lines.append("|---|---|---|---|")
    lines += [f"| {name} | {r['problems_mean']:.1f} | {r['truly_mastered']:.1%} | {r['p_solve_level5']:.3f} |"
              for name, r in rows]
    return "\n".join(lines)


def summary(result: dict) -> str:
    if result["saving"] is None:
        return "no fixed worksheet in the sweep reached the adaptive policy's mastery"
    saving = result["saving"]
    change = f"{saving:.1%} fewer" if saving >= 0 else f"{-saving:.1%} more"
    return (f"learning peaks at {result['peak_success']} success: adaptive needs {change} "
            f"problems than the fixed worksheet for the same share of truly mastered skills "
            f"({result['adaptive']['problems_mean']:.1f} vs {result['fixed_matched']['problems_mean']:.1f} "
            "per learner)")


def report(result: dict, sensitivity: dict, command: str) -> str:
    """The markdown report: headline table, the sensitivity run and the stated learning model."""
    model = "\n".join(f"- {a}" for a in result["assumptions"])
    return (
        f"# Adaptive vs fixed practice ({result['learners']} simulated learners, seed {result['seed']})\n\n"
        f"Produced by `{command}`.\n\nLearning model (assumed, see the script's docstring):\n\n{model}\n\n"
        f"{table(result)}\n\n{summary(result)}.\n\nSensitivity, same learners: {summary(sensitivity)}.\n"
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
    result = compare(args.learners, args.seed)
    sensitivity = compare(args.learners, args.seed, peak_success=0.5)
    command = f"python bench/adaptivity.py --learners {args.learners} --seed {args.seed}"
    text = report(result, sensitivity, command)
    print(f"{text}\n[{time.perf_counter() - started:.1f} s]")
    del sensitivity["fixed_sweep"]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "adaptivity.json").write_text(
        json.dumps({"command": command, **result, "sensitivity": sensitivity}, indent=2) + "\n"
    )
    (args.out / "adaptivity.md").write_text(text)


if __name__ == "__main__":
    main()
