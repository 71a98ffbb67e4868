"""Latency of check_step and check_answer over the cases in tests/tutor/test_verify.py.

Run: ``.venv/bin/python bench/verify_speed.py`` (prints p50/p95 per kind; the target is p95 < 50 ms).
The worker processes are started first so that process start-up is not counted.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.tutor import test_verify as cases
from tutor.verify import check_answer, check_step, warm_up


def step_cases() -> list[tuple[str, str]]:
    marks = [cases.test_equivalent_steps, cases.test_invalid_steps_name_the_mistake]
    pairs = [tuple(p[:2]) for test in marks for p in _parameters(test)]
    return [*pairs, ("x = 3", "x^2 = 9"), ("x - 1 = 2", "x(x - 1) = 2x"), ("x^2 = x", "x = 1")]


def answer_cases() -> list[tuple[str, str]]:
    tests = [cases.test_correct_answers_in_any_form, cases.test_wrong_answers]
    return [tuple(p[:2]) for test in tests for p in _parameters(test)]


def _parameters(test) -> list[tuple]:
    return next(mark.args[1] for mark in test.pytestmark if mark.name == "parametrize")


def timings(check, pairs: list[tuple[str, str]], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        for first, second in pairs:
            started = time.perf_counter()
            check(first, second)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    warm_up()
    timings(check_step, step_cases()[:2], 1)  # the workers finish importing SymPy
    for name, check, pairs in [
        ("check_step", check_step, step_cases()),
        ("check_answer", check_answer, answer_cases()),
    ]:
        samples = sorted(timings(check, pairs, rounds=3))
        p95 = samples[int(0.95 * (len(samples) - 1))]
        print(f"{name:13s} n={len(samples):4d}  p50={statistics.median(samples):6.1f} ms  p95={p95:6.1f} ms  "
              f"max={samples[-1]:6.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
