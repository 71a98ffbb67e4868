"""Assignments: teachers set work for their own classes only; students see their classes' work."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.db import Database
from app.models import User
from app.services import authoring, classes, curriculum, tutoring
from app.services.assignments import (
    class_assignments,
    class_report,
    create_assignment,
    create_problem_set,
    student_assignments,
)
from app.services.curriculum import AssignmentComplete, next_problem
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


def _work_through(db: Database, student_id: int, assignment_id: int, problems: int) -> list[int]:
    """Give up on ``problems`` problems, each in a fresh session (as after a reload); their ids in order."""
    served = []
    for _ in range(problems):
        session = tutoring.start_session(db, user_id=student_id, assignment_id=assignment_id).id
        view = next_problem(db, session_id=session, user_id=student_id)
        again = next_problem(db, session_id=tutoring.start_session(db, user_id=student_id,
                                                                   assignment_id=assignment_id).id,
                             user_id=student_id)
        assert again.attempt_id == view.attempt_id  # an unfinished problem is resumed, never skipped
        tutoring.finish_problem(db, attempt_id=view.attempt_id, user_id=student_id)
        served.append(view.problem_id)
    return served


def test_an_assignment_counts_up_never_repeats_and_ends(db: Database, ids: dict[str, int]) -> None:
    assignment = _set(db, ids, difficulty=1, problem_count=5)
    assert student_assignments(db, student_id=ids["ada"])[0].progress.counter == "1 of 5"
    served = _work_through(db, ids["ada"], assignment, 2)
    assert student_assignments(db, student_id=ids["ada"])[0].progress.counter == "3 of 5"
    served += _work_through(db, ids["ada"], assignment, 3)
    assert len(set(served)) == 5
    session = tutoring.start_session(db, user_id=ids["ada"], assignment_id=assignment).id
    with pytest.raises(AssignmentComplete, match="You finished “Week 1”: 0 of 5 solved"):
        next_problem(db, session_id=session, user_id=ids["ada"])
    mine = student_assignments(db, student_id=ids["ada"])
    assert mine[0].progress.complete and mine[0].progress.counter == "5 of 5 done"


def test_open_assignments_come_first(db: Database, ids: dict[str, int]) -> None:
    done = _set(db, ids, title="Done", problem_count=1, due_at=DUE)
    _set(db, ids, title="Open")
    _work_through(db, ids["ada"], done, 1)
    assert [a.title for a in student_assignments(db, student_id=ids["ada"])] == ["Open", "Done"]


def _authored(db: Database, author: int, answer: str) -> int:
    return authoring.add_problem(db, author_id=author, skill_id="linear_two_step", difficulty=2,
                                 kind="solve", prompt="Solve for x.", start=f"x + 1 = {answer} + 1",
                                 answer=f"x = {answer}")


def test_a_problem_set_serves_its_problems_in_order_once(db: Database, ids: dict[str, int]) -> None:
    curriculum.sync_skills(db)
    chosen = [_authored(db, ids["tess"], str(n)) for n in (3, 1, 2)]
    info = create_problem_set(db, teacher_id=ids["tess"], class_id=ids["algebra"], title="My set",
                              problem_ids=chosen, due_at=DUE)
    assert info.problem_set and info.problem_count == 3
    assert _work_through(db, ids["ada"], info.id, 3) == chosen
    with pytest.raises(InvalidInput, match="each problem once"):
        create_problem_set(db, teacher_id=ids["tess"], class_id=ids["algebra"], title="Twice",
                           problem_ids=[chosen[0], chosen[0]], due_at=None)
    theirs = _authored(db, ids["tom"], "5")
    with pytest.raises(NotFound, match=f"no problem with id {theirs} among yours"):
        create_problem_set(db, teacher_id=ids["tess"], class_id=ids["algebra"], title="Theirs",
                           problem_ids=[theirs], due_at=None)


def test_teachers_see_completion_and_scores(db: Database, ids: dict[str, int]) -> None:
    classes.enroll_student(db, class_id=ids["algebra"], student_id=ids["bob"])
    assignment = _set(db, ids, problem_count=2)
    _work_through(db, ids["ada"], assignment, 2)
    _work_through(db, ids["bob"], assignment, 1)
    [report] = class_report(db, teacher_id=ids["tess"], class_id=ids["algebra"])
    assert report.completed == 1 and report.mean_score == 0.0
    assert [(r.username, r.progress.counter) for r in report.students] == [("ada", "2 of 2 done"),
                                                                          ("bob", "2 of 2")]
    with pytest.raises(PermissionDenied):
        class_report(db, teacher_id=ids["tom"], class_id=ids["algebra"])
