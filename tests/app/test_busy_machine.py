"""A busy machine must never change a verdict.

The 50-learner concurrency scenario and a grading job run while CPU hogs started here keep every core
busy. Check budgets are CPU time, not wall time, so each step and each graded answer gets exactly the
verdict a quiet machine gives (the concurrency scenario asserts the quiet run's verdicts and evidence;
the grading job is run quiet first and compared item by item), and nothing is left for review.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.db import Database
from app.services import assessment
from app.worker.flags import MemoryFlags
from tests.app.test_concurrency import test_fifty_learners_at_once
from tutor import checking

pytestmark = pytest.mark.slow

ANSWERS = [  # (answer, expected): exact values, solution sets, notations, and wrong ones
    ("x = 4", "4"), ("x = 7", "4"), ("x^2 - 1", "(x+1)(x-1)"), ("0.75", "3/4"), ("x = 3", "x = 3 or x = -3"),
    ("x = ±3", "x = 3 or x = -3"), ("2sqrt(2)", "sqrt(8)"), ("(x+2)^2", "x^2 + 4x + 4"), ("x > 2", "(2, oo)"),
    (r"\frac{14}{3}", "14/3"), ("3x^2 + 2", "d/dx(x^3 + 2x)"), ("x = 2, y = 1", "x + y = 3, x - y = 1"),
    ("sin(x)^2 + cos(x)^2", "1"), ("(x-1)^6", "x^6 - 6x^5 + 15x^4 - 20x^3 + 15x^2 - 6x + 1"),
    ("(x-1)^6", "x^6 - 6x^5 + 15x^4 - 20x^3 + 15x^2 - 6x + 2"), ("x = 1/2", "2x - 1 = 0"),
    ("{-2, 5}", "x^2 - 3x - 10 = 0"), ("{-2, 6}", "x^2 - 3x - 10 = 0"), ("1,000", "1000"),
    ("90", r"90^\circ"),
] * 3  # fmt: skip


@contextmanager
def cpu_hog() -> Iterator[None]:
    """One busy-looping process per core for the duration."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(checking.cores())]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def _grade(db: Database, tmp_path: Path, name: str) -> list[bool | None]:
    source = tmp_path / f"{name}.csv"
    lines = ["learner,problem,answer,expected"] + [f'l{n},p,"{a}","{e}"' for n, (a, e) in enumerate(ANSWERS)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    job_id = assessment.create_grading_job(db, source, name=name)
    progress = assessment.run_job(db, job_id, generate=None, flags=MemoryFlags(), owner=name,
                                  results_dir=tmp_path / name)
    assert (progress.status, progress.done, progress.needs_review) == ("done", len(ANSWERS), 0)
    results = assessment.results_path(tmp_path / name, job_id).read_text(encoding="utf-8").splitlines()
    return [line.split('"correct": ')[1].split(",")[0] == "true" for line in results]


def test_fifty_learners_get_the_quiet_machines_verdicts_on_a_busy_one(db: Database) -> None:
    with cpu_hog():
        test_fifty_learners_at_once(db)


def test_grading_gives_the_quiet_machines_verdicts_on_a_busy_one(db: Database, tmp_path: Path) -> None:
    quiet = _grade(db, tmp_path, "quiet")
    assert sum(quiet) not in (0, len(ANSWERS))  # a real mix of right and wrong answers
    with cpu_hog():
        busy = _grade(db, tmp_path, "busy")
    assert busy == quiet
