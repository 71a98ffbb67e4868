"""Importing a teacher's problem set: CSV or JSONL, the MATH-500 and GSM8K layouts, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.models import Problem
from app.services import curriculum, users
from app.services.errors import InvalidInput
from app.services.problem_import import ProblemImportError, import_problems

DATA = Path("/work/shared/data")


@pytest.fixture
def teacher(db: Database) -> int:
    curriculum.sync_skills(db)
    return users.create_user(db, username="tess", display_name="T", role="teacher", password="password1").id


def _count(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count(Problem.id)))


def test_a_csv_set_is_stored_in_file_order(db: Database, teacher: int) -> None:
    text = ("prompt,start,answer,skill,level,form\n"
            "Solve for x.,2x + 3 = 11,x = 4,linear_two_step,2,solved:x\n"
            "Simplify.,3/6,1/2,fractions,1,simplified\n")
    ids = import_problems(db, author_id=teacher, text=text, filename="week1.CSV")
    with db.transaction() as session:
        stored = [session.get_one(Problem, i) for i in ids]
        assert [(p.start, p.answer, p.form, p.kind, p.source) for p in stored] == [
            ("2x + 3 = 11", "x = 4", "solved:x", "solve", "authored"),
            ("3/6", "1/2", "simplified", "simplify", "authored"),
        ]


def test_every_bad_row_is_named_and_nothing_is_imported(db: Database, teacher: int) -> None:
    rows = [
        {"prompt": "Solve.", "start": "x + 1 = 2", "answer": "x = 1", "level": 1},
        {"prompt": "Solve.", "start": "x + = 2", "answer": "x = 1", "level": 1},
        {"prompt": "Solve.", "start": "x + 1 = 2", "answer": "x = 1", "level": 9},
        {"prompt": "Solve.", "start": "x + 1 = 2", "answer": "x = 1", "skill": "magic", "level": 1},
        {"prompt": "Solve.", "start": "x + 1 = 2", "answer": "x = 3", "level": 1},
    ]
    text = "\n".join(json.dumps(row) for row in rows) + "\nnot json\n"
    with pytest.raises(ProblemImportError) as refused:
        import_problems(db, author_id=teacher, text=text, filename="set.jsonl", skill_id="linear_one_step")
    assert [e.line for e in refused.value.errors] == [6]  # a file that is not JSONL is refused first
    with pytest.raises(ProblemImportError) as refused:
        import_problems(db, author_id=teacher, text=text.replace("not json\n", ""), filename="set.jsonl",
                        skill_id="linear_one_step")
    errors = {e.line: e.message for e in refused.value.errors}
    assert sorted(errors) == [2, 3, 4, 5]
    assert "start is not readable math" in errors[2] and "1 to 5" in errors[3] and "'magic'" in errors[4]
    assert errors[5].startswith("The answer does not follow from the start")
    assert "nothing was imported" in str(refused.value) and _count(db) == 0


def test_math500_rows_import_once_given_a_start(db: Database, teacher: int) -> None:
    row = json.loads((DATA / "math500.jsonl").read_text().splitlines()[0])
    with pytest.raises(ProblemImportError, match="line 1: no start: MATH-500 rows need a 'start' column"):
        import_problems(db, author_id=teacher, text=json.dumps(row), filename="math500.jsonl",
                        skill_id="linear_one_step")
    row = {**row, "answer": "x = 3", "start": "x + 2 = 5"}
    [stored] = import_problems(db, author_id=teacher, text=json.dumps(row), filename="math500.jsonl",
                               skill_id="linear_one_step")
    with db.transaction() as session:
        problem = session.get_one(Problem, stored)
        assert problem.prompt.startswith("Convert the point") and problem.difficulty == row["level"]


def test_gsm8k_answers_are_read_from_after_the_marks(db: Database, teacher: int) -> None:
    row = json.loads((DATA / "gsm8k-test.jsonl").read_text().splitlines()[0])
    row["start"] = "(16 - 3 - 4) * 2"
    [stored] = import_problems(db, author_id=teacher, text=json.dumps(row), filename="gsm8k.jsonl",
                               skill_id="fractions", level=1)
    with db.transaction() as session:
        assert session.get_one(Problem, stored).answer == "18"


@pytest.mark.parametrize(("text", "filename", "message"), [
    ("", "a.csv", "no problems"), ("x", "a.txt", "a .csv or .jsonl file"),
])
def test_files_that_are_not_problem_sets_are_refused_in_words(
    db: Database, teacher: int, text: str, filename: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        import_problems(db, author_id=teacher, text=text, filename=filename)
