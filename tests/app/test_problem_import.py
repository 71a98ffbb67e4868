"""Importing a teacher's problem set: CSV or JSONL, MATH-500 and GSM8K rows as published, all or nothing,
every bad row named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.models import Problem
from app.services import curriculum, users
from app.services.errors import InvalidInput
from app.services.problem_import import SUBJECT_SKILLS, ProblemImportError, import_problems

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


def _first(name: str, count: int = 50) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text().splitlines()[:count]]


def _stored(db: Database, ids: list[int]) -> list[Problem]:
    with db.transaction() as session:
        rows = [session.get_one(Problem, i) for i in ids]
        session.expunge_all()
        return rows


def test_math500_rows_import_as_they_are(db: Database, teacher: int) -> None:
    rows = _first("math500.jsonl")
    text = "\n".join(json.dumps(row) for row in rows)
    ids = import_problems(db, author_id=teacher, text=text, filename="math500.jsonl")
    stored = _stored(db, ids)
    assert len(stored) == 50
    for row, problem in zip(rows, stored, strict=True):
        assert (problem.prompt, problem.answer, problem.difficulty, problem.subject, problem.form) == (
            row["problem"], row["answer"], row["level"], row["subject"], "equivalent")
        assert problem.skill_id == SUBJECT_SKILLS[row["subject"]] and problem.source == "authored"
    # Only a problem whose one piece of math is an expression equal to the answer gets it as its start.
    assert {n: p.start for n, p in enumerate(stored, start=1) if p.start} == {
        21: "(1+2i)6-3i", 32: "\\sqrt{242}"}
    no_start = [p for p in stored if not p.start]
    assert all(p.latex == "" and p.kind == ("solve" if "=" in p.answer else "evaluate") for p in no_start)


def test_gsm8k_rows_import_with_the_number_after_the_marks(db: Database, teacher: int) -> None:
    rows = _first("gsm8k-test.jsonl")
    text = "\n".join(json.dumps(row) for row in rows)
    stored = _stored(db, import_problems(db, author_id=teacher, text=text, filename="gsm8k.jsonl"))
    finals = [row["answer"].rsplit("#### ", 1)[1].replace(",", "") for row in rows]
    assert [p.answer for p in stored] == finals
    assert stored[0].answer == "18" and stored[0].prompt == rows[0]["question"]
    assert {(p.start, p.skill_id, p.subject, p.form) for p in stored} == {
        ("", "order_of_operations", None, "equivalent")}
    # Without a level for the file, one is read from the length of the worked solution.
    assert stored[0].difficulty == 1 and {p.difficulty for p in stored} <= {1, 2, 3, 4, 5}
    assert len({p.difficulty for p in stored}) > 2
    chosen = _stored(db, import_problems(db, author_id=teacher, text=text, filename="gsm8k.jsonl",
                                         skill_id="fractions", level=2))
    assert {(p.skill_id, p.difficulty) for p in chosen} == {("fractions", 2)}


def test_a_start_column_and_the_rows_own_skill_still_win(db: Database, teacher: int) -> None:
    row = {**_first("math500.jsonl", 1)[0], "answer": "x = 3", "start": "x + 2 = 5",
           "skill": "linear_one_step"}
    [stored] = _stored(db, import_problems(db, author_id=teacher, text=json.dumps(row), filename="m.jsonl"))
    assert (stored.start, stored.skill_id, stored.kind, stored.difficulty) == ("x + 2 = 5", "linear_one_step",
                                                                               "solve", 2)


OWN = {"skill": "fractions", "level": 1}


def test_bad_public_rows_are_each_named_and_nothing_is_imported(db: Database, teacher: int) -> None:
    math500, gsm8k = _first("math500.jsonl", 3), _first("gsm8k-test.jsonl", 3)
    rows = [
        {**math500[0], "answer": ""},  # 1: no answer
        {**math500[1], "answer": "\\frac{1}{"},  # 2: an answer the checker cannot read
        {**gsm8k[0], "answer": gsm8k[0]["answer"].rsplit("####", 1)[0]},  # 3: a solution with no final answer
        {**gsm8k[1], "answer": "It takes 3 bolts.\n#### "},  # 4: nothing after the marks
        math500[2],  # 5: fine
        {**math500[2], "level": 7},  # 6
        {**math500[2], "subject": "Astrology"},  # 7: no skill for it, and none chosen
        {**gsm8k[2], "question": " "},  # 8: no prompt
        {**OWN, "prompt": "Simplify.", "start": "x + = 2", "answer": "x"},  # 9: an unreadable start
        {**OWN, "prompt": "Name the winner.", "answer": "\\text{Evelyn}"},  # 10: fine, a text answer
        {**OWN, "prompt": "Round it.", "answer": "1/3", "form": "decimal:2"},  # 11: fails its own form
    ]
    text = "\n".join(json.dumps(row) for row in rows)
    with pytest.raises(ProblemImportError) as refused:
        import_problems(db, author_id=teacher, text=text, filename="mixed.jsonl")
    errors = {e.line: e.message for e in refused.value.errors}
    assert sorted(errors) == [1, 2, 3, 4, 6, 7, 8, 9, 11], errors
    assert errors[1].startswith("no answer") and "not readable math" in errors[2]
    assert "ends with '#### '" in errors[3] and "after '####'" in errors[4]
    assert "1 to 5" in errors[6] and "choose a skill" in errors[7] and errors[8].startswith("no prompt")
    assert "start is not readable math" in errors[9] and "does not accept the answer itself" in errors[11]
    assert "nothing was imported" in str(refused.value) and _count(db) == 0
    # Fixed, the rows import, and a problem with a text answer or no start is kept as it is.
    good = [rows[4], rows[9]]
    ids = import_problems(db, author_id=teacher, text="\n".join(map(json.dumps, good)), filename="ok.jsonl",
                          skill_id="fractions", level=1)
    assert [(p.start, p.answer) for p in _stored(db, ids)] == [
        ("", math500[2]["answer"]), ("", "\\text{Evelyn}")]


def test_a_csv_row_with_no_start_is_an_answer_only_problem(db: Database, teacher: int) -> None:
    text = "prompt,answer,skill,level\n\"Tom has 3 bags of 4 apples. How many apples?\",12,fractions,1\n"
    [stored] = _stored(db, import_problems(db, author_id=teacher, text=text, filename="week2.csv"))
    assert (stored.start, stored.answer, stored.kind, stored.latex) == ("", "12", "evaluate", "")


@pytest.mark.parametrize(("text", "filename", "message"), [
    ("", "a.csv", "no problems"), ("x", "a.txt", "a .csv or .jsonl file"),
])
def test_files_that_are_not_problem_sets_are_refused_in_words(
    db: Database, teacher: int, text: str, filename: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        import_problems(db, author_id=teacher, text=text, filename=filename)
