"""Assignments: teachers set work for their own classes only; students see their classes' work."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.db import Database
from app.models import User
from app.services import classes
from app.services.assignments import class_assignments, create_assignment, student_assignments
from app.services.errors import InvalidInput, NotFound, PermissionDenied

DUE = datetime(2030, 1, 31, 23, 59, tzinfo=UTC)


@pytest.fixture
def ids(db: Database) -> dict[str, int]:
    with db.transaction() as session:
        people = (("ada", "student"), ("bob", "student"), ("tess", "teacher"), ("tom", "teacher"))
        rows = [User(username=name, display_name=name, role=role, password_hash="-") for name, role in people]
        session.add_all(rows)
        session.flush()
        found = {row.username: row.id for row in rows}
    found["algebra"] = classes.create_class(db, teacher_id=found["tess"], name="Algebra 1").id
    found["geometry"] = classes.create_class(db, teacher_id=found["tom"], name="Geometry").id
    classes.enroll_student(db, class_id=found["algebra"], student_id=found["ada"])
    classes.enroll_student(db, class_id=found["geometry"], student_id=found["bob"])
    return found


def _set(db: Database, ids: dict[str, int], **changes) -> int:
    values = dict(teacher_id=ids["tess"], class_id=ids["algebra"], title="Week 1", skill_id="linear_two_step",
                  difficulty=None, problem_count=5, due_at=None)
    return create_assignment(db, **{**values, **changes}).id


def test_students_see_their_classes_work_soonest_due_first(db: Database, ids: dict[str, int]) -> None:
    _set(db, ids, title="  Undated  ")
    _set(db, ids, title="Due", due_at=DUE)
    _set(db, ids, title="For Geometry", teacher_id=ids["tom"], class_id=ids["geometry"])
    mine = student_assignments(db, student_id=ids["ada"])
    assert [(a.title, a.class_name) for a in mine] == [("Due", "Algebra 1"), ("Undated", "Algebra 1")]
    assert mine[0].due_at.replace(tzinfo=UTC) == DUE
    assert [a.title for a in student_assignments(db, student_id=ids["bob"])] == ["For Geometry"]
    newest_first = class_assignments(db, teacher_id=ids["tess"], class_id=ids["algebra"])
    assert [a.title for a in newest_first] == ["Due", "Undated"]


def test_a_teacher_sets_and_lists_work_only_for_their_own_classes(db: Database, ids: dict[str, int]) -> None:
    with pytest.raises(PermissionDenied, match="belongs to another teacher"):
        _set(db, ids, teacher_id=ids["tom"])
    with pytest.raises(PermissionDenied, match="belongs to another teacher"):
        class_assignments(db, teacher_id=ids["tom"], class_id=ids["algebra"])
    with pytest.raises(NotFound, match="no class with id 999"):
        _set(db, ids, class_id=999)
    assert student_assignments(db, student_id=ids["ada"]) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "   "}, "needs a title"),
        ({"title": "x" * 201}, "needs a title"),
        ({"skill_id": "magic"}, "no skill 'magic'"),
        ({"difficulty": 6}, "level must be 1 to 5"),
        ({"problem_count": 0}, "1 to 50 problems"),
        ({"problem_count": 51}, "1 to 50 problems"),
    ],
)
def test_bad_assignments_are_refused_in_words(db: Database, ids: dict, changes: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        _set(db, ids, **changes)
    assert class_assignments(db, teacher_id=ids["tess"], class_id=ids["algebra"]) == []
