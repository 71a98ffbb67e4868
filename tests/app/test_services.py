"""The tutoring services end to end on SQLite and PostgreSQL: steps checked, stored and learned from."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.models import MasteryEvent, Skill, StepRecord, User
from app.services import authoring, progress, tutoring
from app.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.services.tutoring import ProblemView, StepResult


@dataclass(frozen=True)
class Setup:
    student_id: int
    other_id: int
    teacher_id: int
    problem_id: int


@pytest.fixture
def setup(db: Database) -> Setup:
    with db.transaction() as session:
        session.add(Skill(id="linear_two_step", name="Two-step equations", description="", position=3,
                          prerequisites=[]))
        # Rows straight in: these learners never log in, and argon2 is slow on purpose.
        people = [User(username=name, display_name=name, role=role, password_hash="-")
                  for name, role in (("teach", "teacher"), ("ada", "student"), ("bob", "student"))]
        session.add_all(people)
        session.flush()
        teacher, student, other = people
    problem_id = authoring.add_problem(
        db, author_id=teacher.id, skill_id="linear_two_step", difficulty=2, kind="solve",
        prompt="Solve for x.", start="2x + 3 = 7", answer="x = 2",
    )
    return Setup(student.id, other.id, teacher.id, problem_id)


def _start(db: Database, setup: Setup) -> ProblemView:
    session = tutoring.start_session(db, user_id=setup.student_id)
    return _open(db, setup, session.id)


def _open(db: Database, setup: Setup, session_id: int) -> ProblemView:
    return tutoring.start_problem(
        db, session_id=session_id, user_id=setup.student_id, problem_id=setup.problem_id
    )


def _events(db: Database, user_id: int) -> list[str]:
    with db.transaction() as session:
        query = select(MasteryEvent.evidence).where(MasteryEvent.user_id == user_id).order_by(MasteryEvent.id)
        return list(session.scalars(query))


def test_steps_are_checked_stored_and_learned_from(db: Database, setup: Setup) -> None:
    view = _start(db, setup)
    assert (view.current_state, view.status) == ("2x + 3 = 7", "in_progress")

    def submit(text: str, request: str) -> StepResult:
        return tutoring.submit_step(db, attempt_id=view.attempt_id, user_id=setup.student_id, text=text,
                                    client_request_id=request, time_taken_ms=4200)

    good = submit("2x = 4", "r1")
    assert (good.verdict, good.accepted, good.solved, good.position) == ("equivalent", True, False, 1)
    wrong = submit("x = 3", "r2")
    assert (wrong.verdict, wrong.accepted, wrong.solved) == ("invalid", False, False)
    assert wrong.message
    garbled = submit("x = = 2", "r3")
    assert (garbled.verdict, garbled.accepted) == ("unparsable", False)
    final = submit("x = 2", "r4")
    assert (final.accepted, final.solved, final.position) == (True, True, 4)

    reloaded = tutoring.current_problem(db, attempt_id=view.attempt_id, user_id=setup.student_id)
    assert (reloaded.status, reloaded.current_state) == ("solved", "x = 2")
    assert _events(db, setup.student_id) == ["step_correct", "step_wrong", "step_correct", "problem_solved"]
    learner = progress.progress(db, user_id=setup.student_id)
    assert (learner.problems_started, learner.problems_solved, learner.steps) == (1, 1, 4)
    [skill] = learner.skills
    assert skill.skill_id == "linear_two_step" and skill.problems_finished == 1
    history = progress.mastery_history(db, user_id=setup.student_id, skill_id="linear_two_step")
    assert [point.evidence for point in history] == _events(db, setup.student_id)
    assert history[-1].p_mastery == pytest.approx(skill.p_mastery)

    with pytest.raises(Conflict, match="already finished"):
        submit("x = 2", "r5")


def test_a_retried_step_is_stored_once(db: Database, setup: Setup) -> None:
    view = _start(db, setup)
    results = [
        tutoring.submit_step(db, attempt_id=view.attempt_id, user_id=setup.student_id, text="2x = 4",
                             client_request_id="same", time_taken_ms=1000)
        for _ in range(3)
    ]
    assert [r.duplicate for r in results] == [False, True, True]
    assert len({r.step_id for r in results}) == 1
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(StepRecord)) == 1
    assert _events(db, setup.student_id) == ["step_correct"]


def test_giving_up_counts_once(db: Database, setup: Setup) -> None:
    view = _start(db, setup)
    first = tutoring.finish_problem(db, attempt_id=view.attempt_id, user_id=setup.student_id)
    again = tutoring.finish_problem(db, attempt_id=view.attempt_id, user_id=setup.student_id)
    assert first == again and first.status == "gave_up"
    assert _events(db, setup.student_id) == ["problem_failed"]


def test_reloading_keeps_the_open_problem(db: Database, setup: Setup) -> None:
    session = tutoring.start_session(db, user_id=setup.student_id)
    assert _open(db, setup, session.id).attempt_id == _open(db, setup, session.id).attempt_id


def test_learners_cannot_touch_each_others_work(db: Database, setup: Setup) -> None:
    view = _start(db, setup)
    with pytest.raises(PermissionDenied):
        tutoring.submit_step(db, attempt_id=view.attempt_id, user_id=setup.other_id, text="2x = 4",
                             client_request_id="r1", time_taken_ms=10)
    with pytest.raises(PermissionDenied):
        tutoring.finish_problem(db, attempt_id=view.attempt_id, user_id=setup.other_id)
    with pytest.raises(NotFound):
        tutoring.current_problem(db, attempt_id=9999, user_id=setup.student_id)


@pytest.mark.parametrize(
    ("text", "request_id", "millis", "reason"),
    [("  ", "r", 1, "empty"), ("x" * 1001, "r", 1, "at most"), ("x = 2", "", 1, "client_request_id"),
     ("x = 2", "r", -5, "between 0"), ("x = 2", "r", 1.5, "whole number")],
)
def test_bad_steps_are_refused(
    db: Database, setup: Setup, text: str, request_id: str, millis: object, reason: str
) -> None:
    view = _start(db, setup)
    with pytest.raises(InvalidInput, match=reason):
        tutoring.submit_step(db, attempt_id=view.attempt_id, user_id=setup.student_id, text=text,
                             client_request_id=request_id, time_taken_ms=millis)


@pytest.mark.parametrize(
    ("changes", "error", "reason"),
    [({"difficulty": 7}, InvalidInput, "1 to 5"), ({"kind": "guess"}, InvalidInput, "kind must be"),
     ({"start": "2x + = 7"}, InvalidInput, "not readable math"),
     ({"skill_id": "alchemy"}, NotFound, "alchemy")],
)
def test_authored_problems_are_checked(
    db: Database, setup: Setup, changes: dict, error: type[Exception], reason: str
) -> None:
    fields = {"skill_id": "linear_two_step", "difficulty": 2, "kind": "solve", "prompt": "Solve.",
              "start": "2x + 3 = 7", "answer": "x = 2"} | changes
    with pytest.raises(error, match=reason):
        authoring.add_problem(db, author_id=setup.teacher_id, **fields)


def test_only_teachers_write_problems(db: Database, setup: Setup) -> None:
    with pytest.raises(PermissionDenied, match="only teachers"):
        authoring.add_problem(db, author_id=setup.student_id, skill_id="linear_two_step", difficulty=1,
                              kind="solve", prompt="Solve.", start="x + 1 = 2", answer="x = 1")
