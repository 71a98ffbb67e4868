"""The verdicts a mathematics teacher would give, from two readable tables (tests/tutor/verdicts/).

answers.txt holds final answers with the form the problem asks for; steps.txt holds pairs of lines of
working. The one rule that matters most: nothing the teacher marks wrong may come back "correct".
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from tutor.verify import check_answer, check_step

TABLES = Path(__file__).parent / "verdicts"


class Row(NamedTuple):
    line: int
    cells: list[str]


def read_table(name: str, columns: int) -> list[pytest.ParameterSet]:
    """Rows of ``a | b | …``; blank lines and ``#`` comments are skipped."""
    cases = []
    for number, text in enumerate((TABLES / name).read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in text.split(" | ")]
        assert len(cells) == columns, f"{name}:{number} needs {columns} cells: {text!r}"
        cases.append(pytest.param(Row(number, cells), id=f"{name}:{number}"))
    return cases


ANSWERS = read_table("answers.txt", 4)
STEPS = read_table("steps.txt", 4)


def test_the_tables_are_big_enough_to_mean_something() -> None:
    assert len(ANSWERS) >= 300 and len(STEPS) >= 150


@pytest.mark.parametrize("row", ANSWERS)
def test_answer_verdicts(row: Row) -> None:
    submitted, expected, form, teacher = row.cells
    assert teacher in ("correct", "form", "wrong")
    verdict = check_answer(submitted, expected, form=form, seconds=10.0)
    if teacher != "correct":
        assert not verdict.correct, f"false correct: {submitted!r} for {expected!r} ({form})"
    if teacher == "correct":
        assert verdict.correct, verdict.message
    elif teacher == "form":
        assert verdict.form_failure, f"a right value in the wrong form names the rule: {verdict.message}"
        assert verdict.message.startswith(("Equivalent, but", "The value is right, but"))
    else:
        assert verdict.form_failure is None, f"a wrong value is not a form problem: {verdict.message}"


@pytest.mark.parametrize("row", STEPS)
def test_step_verdicts(row: Row) -> None:
    before, after, teacher, misconception = row.cells
    assert teacher in ("equivalent", "implied", "invalid")
    verdict = check_step(before, after, seconds=10.0)
    if teacher != "equivalent":
        assert verdict.status != "equivalent", f"false correct: {before!r} → {after!r}"
    assert verdict.status == teacher, verdict.message
    if misconception != "-":  # "-": any diagnosis, "none": no named slip, else the slip it must name
        assert verdict.misconception == (None if misconception == "none" else misconception), verdict.message
    assert "*" not in verdict.message, f"messages use the learner's notation: {verdict.message}"
