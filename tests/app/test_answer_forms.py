"""Answer forms and typed text in the app: stored problems keep their form, authored problems show the
start as typed, batch files take a form column, and teachers see common errors by misconception."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import Database
from app.models import Problem, StepRecord, User
from app.services import assessment, authoring, classes, curriculum, tutoring, web_queries
from app.services.assessment import JobInputError
from app.services.errors import InvalidInput
from app.worker.flags import MemoryFlags
from tutor.problems import generate_problem


def _people(db: Database) -> tuple[int, int, int]:
    curriculum.sync_skills(db)
    with db.transaction() as session:
        rows = [User(username=name, display_name=name, role=role, password_hash="-")
                for name, role in (("ada", "student"), ("bob", "student"), ("teach", "teacher"))]
        session.add_all(rows)
        session.flush()
        return rows[0].id, rows[1].id, rows[2].id


def test_an_authored_problem_keeps_its_form_and_shows_its_start_as_typed(db: Database) -> None:
    _, _, teacher = _people(db)
    problem_id = authoring.add_problem(
        db, author_id=teacher, skill_id="fractions", difficulty=1, kind="simplify",
        prompt="Simplify.", start="6/8", answer="3/4", form="simplified",
    )
    with db.transaction() as session:
        problem = session.get_one(Problem, problem_id)
        assert (problem.form, problem.latex) == ("simplified", r"\frac{6}{8}")  # not 3/4: that is the answer
        assert tutoring.tutor_problem(problem).form == "simplified"


def test_an_unknown_form_is_refused_with_the_known_ones(db: Database) -> None:
    _, _, teacher = _people(db)
    with pytest.raises(InvalidInput, match="unknown answer form 'tidy'; use one of equivalent, simplified"):
        authoring.add_problem(
            db, author_id=teacher, skill_id="fractions", difficulty=1, kind="simplify",
            prompt="Simplify.", start="6/8", answer="3/4", form="tidy",
        )


def test_a_generated_problem_is_stored_with_its_generators_form(db: Database) -> None:
    student, _, _ = _people(db)
    session = tutoring.start_session(db, user_id=student)
    view = curriculum.next_problem(db, session_id=session.id, user_id=student, skill_id="radicals", seed=3)
    with db.transaction() as session:
        problem = session.get_one(Problem, view.problem_id)
        assert problem.form == generate_problem("radicals", problem.difficulty, 3).form == "simplified"


def test_a_batch_file_can_ask_for_a_form_per_row(db: Database, tmp_path: Path) -> None:
    simplify = {"problem": "Simplify 6/8", "expected": "3/4"}
    rows = [
        {"learner": "ada", "answer": "3/4", "form": "simplified", **simplify},
        {"learner": "ben", "answer": "6/8", "form": "simplified", **simplify},
        {"learner": "cy", "answer": "6/8", **simplify},
        {"learner": "dee", "problem": "sqrt(2) to 2 d.p.", "answer": "1.41", "expected": "sqrt(2)",
         "form": "decimal:2"},
    ]  # fmt: skip
    source = tmp_path / "answers.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    job_id = assessment.create_grading_job(db, source)
    progress = assessment.run_job(
        db, job_id, generate=None, flags=MemoryFlags(), owner="w", results_dir=tmp_path
    )  # fmt: skip
    lines = assessment.results_path(tmp_path, job_id).read_text().splitlines()
    results = [json.loads(line) for line in lines]
    assert [(r["learner"], r["form"], r["correct"]) for r in results] == [
        ("ada", "simplified", True), ("ben", "simplified", False), ("cy", "equivalent", True),
        ("dee", "decimal:2", True),
    ]  # fmt: skip
    assert progress.correct == 3


def test_a_batch_file_with_an_unknown_form_names_the_row(db: Database, tmp_path: Path) -> None:
    source = tmp_path / "answers.csv"
    source.write_text("learner,problem,answer,expected,form\nada,p,1,1,\nben,p,1,1,neat\n", encoding="utf-8")
    with pytest.raises(JobInputError, match=r"answers\.csv, row 2: unknown answer form 'neat'"):
        assessment.create_grading_job(db, source)


def test_common_errors_are_grouped_by_misconception_not_by_number(db: Database) -> None:
    student, other, teacher = _people(db)
    class_id = classes.create_class(db, teacher_id=teacher, name="7B").id
    for learner in (student, other):
        classes.enroll_student(db, class_id=class_id, student_id=learner)
    slips = {student: ("2x = 8", "x = -4"), other: ("3x = 12", "x = -4")}  # two division slips
    for learner, (start, wrong) in slips.items():
        problem_id = authoring.add_problem(
            db, author_id=teacher, skill_id="linear_one_step", difficulty=1, kind="solve",
            prompt="Solve.", start=start, answer=f"x = {-int(wrong.split('=')[1])}", form="solved:x",
        )
        session = tutoring.start_session(db, user_id=learner)
        view = tutoring.start_problem(db, session_id=session.id, user_id=learner, problem_id=problem_id)
        result = tutoring.submit_step(db, attempt_id=view.attempt_id, user_id=learner, text=wrong,
                                      client_request_id="r1", time_taken_ms=1000)
        assert result.verdict == "invalid"
    with db.transaction() as session:
        stored = session.scalars(select(StepRecord.misconception)).all()
    assert stored == ["division-slip", "division-slip"]
    patterns = web_queries.common_errors(db, teacher_id=teacher, class_id=class_id)
    assert [(p.misconception, p.count, p.message) for p in patterns] == [
        ("division-slip", 2, "Sign slip when dividing by the coefficient")
    ]
