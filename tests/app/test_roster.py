"""Roster CSV import (all or nothing, every bad row named) and gradebook export."""

from __future__ import annotations

import csv
import io

import pytest

from app.db import Database
from app.roster import RosterError, export_gradebook, import_roster
from app.services import assignments, classes, curriculum, tutoring, users
from app.services.errors import NotFound


@pytest.fixture
def class_id(db: Database) -> int:
    teacher = users.create_user(db, username="teach", display_name="T", role="teacher", password="password1")
    return classes.create_class(db, teacher_id=teacher.id, name="Algebra 1").id


def test_roster_imports_and_enrolls(db: Database, class_id: int) -> None:
    users.create_user(db, username="old", display_name="Old Timer", role="student", password="password1")
    text = "\ufeffUsername,Display_Name,password\nada,Ada L.,\ngrace,Grace H.,hopper1906\n\nold,,\n"
    result = import_roster(db, class_id=class_id, csv_text=text)
    assert [s.username for s in result.created] == ["ada", "grace"]
    ada_password = result.created[0].password
    assert ada_password is not None and result.created[1].password is None
    assert result.enrolled == ["old"]
    assert users.authenticate(db, username="ada", password=ada_password).display_name == "Ada L."
    assert users.authenticate(db, username="grace", password="hopper1906").role == "student"
    assert [s.username for s in classes.class_students(db, class_id=class_id)] == ["ada", "grace", "old"]

    again = import_roster(db, class_id=class_id, csv_text="username\nada\n")
    assert (again.created, again.enrolled, again.already_enrolled) == ([], [], ["ada"])


def test_bad_rows_import_nothing_and_are_all_named(db: Database, class_id: int) -> None:
    text = (
        "username,display_name,password\n"
        "ada,Ada,\n"          # line 2: fine
        "bad name,,\n"        # line 3: space in username
        "grace,,short\n"      # line 4: weak password
        "ada,Again,\n"        # line 5: repeated
        "teach,,\n"           # line 6: a teacher, not a student
        "x,y,z,extra\n"       # line 7: too many fields
        ",,\n"                # blank: skipped
    )
    with pytest.raises(RosterError) as caught:
        import_roster(db, class_id=class_id, csv_text=text)
    assert [e.line for e in caught.value.errors] == [3, 4, 5, 6, 7]
    message = str(caught.value)
    assert "nothing was imported" in message and "line 6: 'teach' is a teacher" in message
    assert classes.class_students(db, class_id=class_id) == []
    assert [u.username for u in users.list_users(db)] == ["teach"]


@pytest.mark.parametrize(("text", "reason"), [("", "username"), ("name,email\nada,a@x\n", "username"),
                                               ("username,email\nada,a@x\n", "unknown column")])
def test_bad_header_is_explained(db: Database, class_id: int, text: str, reason: str) -> None:
    with pytest.raises(RosterError, match=reason):
        import_roster(db, class_id=class_id, csv_text=text)


def test_unknown_class(db: Database) -> None:
    with pytest.raises(NotFound, match="no class with id 42"):
        import_roster(db, class_id=42, csv_text="username\nada\n")


def test_gradebook_lists_every_student(db: Database, class_id: int) -> None:
    import_roster(db, class_id=class_id, csv_text="username,display_name\nada,=HYPERLINK()\nbob,Bob\n")
    rows = list(csv.DictReader(io.StringIO(export_gradebook(db, class_id=class_id))))
    assert [r["username"] for r in rows] == ["ada", "bob"]
    assert rows[0]["display_name"] == "'=HYPERLINK()"  # never a live formula in a spreadsheet
    assert rows[1]["problems_started"] == "0" and rows[1]["hints"] == "0"


def test_gradebook_gives_each_assignments_completion_and_score(db: Database, class_id: int) -> None:
    import_roster(db, class_id=class_id, csv_text="username\nada\nbob\n")
    teacher = users.authenticate(db, username="teach", password="password1").id
    week = assignments.create_assignment(db, teacher_id=teacher, class_id=class_id, title="=Week 1",
                                         skill_id="linear_two_step", difficulty=1, problem_count=2,
                                         due_at=None)
    student = next(s.id for s in classes.class_students(db, class_id=class_id) if s.username == "ada")
    session = tutoring.start_session(db, user_id=student, assignment_id=week.id).id
    view = curriculum.next_problem(db, session_id=session, user_id=student)
    tutoring.finish_problem(db, attempt_id=view.attempt_id, user_id=student)
    rows = list(csv.DictReader(io.StringIO(export_gradebook(db, class_id=class_id))))
    finished, score = f"'=Week 1 (#{week.id}):finished of 2", f"'=Week 1 (#{week.id}):score"
    assert [(r["username"], r[finished], r[score]) for r in rows] == [("ada", "1", "0.000"),
                                                                      ("bob", "0", "0.000")]
    assert [r["problems_skipped"] for r in rows] == ["0", "0"]  # given up, not skipped

    skipped = curriculum.next_problem(db, session_id=session, user_id=student)
    tutoring.skip_problem(db, attempt_id=skipped.attempt_id, user_id=student)
    rows = list(csv.DictReader(io.StringIO(export_gradebook(db, class_id=class_id))))
    columns = ("username", "problems_started", "problems_solved", "problems_skipped", finished, score)
    assert [tuple(r[c] for c in columns) for r in rows] == [("ada", "2", "0", "1", "2", "0.000"),
                                                             ("bob", "0", "0", "0", "0", "0.000")]
