"""Latency of check_step and check_answer over the teacher's verdict tables (tests/tutor/verdicts/)
and the cases of tests/tutor/test_verify.py, with the tables' agreement reported beside the speed.

Run: ``.venv/bin/python bench/verify_speed.py`` on a quiet machine (the target is p95 < 50 ms per check;
the load average is recorded so a busy run can be told apart). Results go to bench/results/verify_speed.*.
The checking processes are started first so that process start-up is not counted.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.tutor import test_verify as cases  # noqa: E402
from tests.tutor.test_teacher_verdicts import ANSWERS, STEPS  # noqa: E402
from tutor.verify import check_answer, check_step, warm_up  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGET_P95_MS = 50.0


def _parameters(test) -> list[tuple]:
    return next(mark.args[1] for mark in test.pytestmark if mark.name == "parametrize")


def step_cases() -> list[tuple[str, str, str | None]]:
    """(before, after, the teacher's verdict or None where the case only times the check)."""
    table = [(row.cells[0], row.cells[1], row.cells[2]) for row in (p.values[0] for p in STEPS)]
    marks = [cases.test_equivalent_steps, cases.test_invalid_steps_name_the_mistake]
    extra = [(p[0], p[1], None) for test in marks for p in _parameters(test)]
    return table + extra


def answer_cases() -> list[tuple[str, str, str, str | None]]:
    """(submitted, expected, form, the teacher's verdict or None)."""
    table = [tuple(row.cells) for row in (p.values[0] for p in ANSWERS)]
    tests = [cases.test_correct_answers_in_any_form, cases.test_wrong_answers]
    extra = [(p[0], p[1], "equivalent", None) for test in tests for p in _parameters(test)]
    return table + extra


def timed(check: Callable[..., Any], *args: str, **options: str) -> tuple[float, Any]:
    started = time.perf_counter()
    result = check(*args, **options)
    return (time.perf_counter() - started) * 1000, result


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "max_ms": round(ordered[-1], 2),
    }


def run_steps(rounds: int) -> tuple[dict, dict]:
    samples, agree, false_correct, labelled = [], 0, 0, 0
    for round_number in range(rounds):
        for before, after, teacher in step_cases():
            ms, verdict = timed(check_step, before, after)
            samples.append(ms)
            if round_number == 0 and teacher is not None:
                labelled += 1
                agree += verdict.status == teacher
                false_correct += teacher != "equivalent" and verdict.status == "equivalent"
    return summary(samples), {"rows": labelled, "agree": agree, "false_correct": false_correct}


def run_answers(rounds: int) -> tuple[dict, dict]:
    samples, agree, false_correct, labelled = [], 0, 0, 0
    for round_number in range(rounds):
        for submitted, expected, form, teacher in answer_cases():
            ms, verdict = timed(check_answer, submitted, expected, form=form)
            samples.append(ms)
            if round_number == 0 and teacher is not None:
                labelled += 1
                said = "correct" if verdict.correct else "form" if verdict.form_failure else "wrong"
                agree += said == teacher
                false_correct += teacher != "correct" and verdict.correct
    return summary(samples), {"rows": labelled, "agree": agree, "false_correct": false_correct}


def main(rounds: int = 3, results: Path = RESULTS) -> dict:
    load_before = os.getloadavg()
    warm_up()
    check_step("2x = 4", "x = 2")  # the checking processes finish importing SymPy
    step_speed, step_table = run_steps(rounds)
    answer_speed, answer_table = run_answers(rounds)
    report = {
        "command": ".venv/bin/python bench/verify_speed.py",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "target_p95_ms": TARGET_P95_MS,
        "check_step": {**step_speed, "table": step_table},
        "check_answer": {**answer_speed, "table": answer_table},
    }
    results.mkdir(exist_ok=True)
    (results / "verify_speed.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (results / "verify_speed.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))
    return report


def markdown(report: dict) -> str:
    lines = [
        "# Step and answer check latency",
        "",
        f"`{report['command']}` on {report['machine']}; load average before "
        f"{report['load_average_before']}, after {report['load_average_after']}.",
        "",
        "| check | n | p50 ms | p95 ms | max ms | target p95 | teacher table: agree / rows | false correct |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in ("check_step", "check_answer"):
        row, table = report[name], report[name]["table"]
        met = "met" if row["p95_ms"] < report["target_p95_ms"] else "NOT met"
        lines.append(
            f"| {name} | {row['n']} | {row['p50_ms']} | {row['p95_ms']} | {row['max_ms']} | "
            f"< {report['target_p95_ms']:g} ms: {met} | {table['agree']} / {table['rows']} | "
            f"{table['false_correct']} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
