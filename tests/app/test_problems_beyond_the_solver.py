"""A teacher's problem the step-wise solver cannot work is still tutored: steps checked by the
verifier, the answer checked in its form, and a clear word that there are no step hints."""

from __future__ import annotations

import pytest

from app.db import Database
from app.services import authoring, curriculum, help, tutoring, users
from app.services.errors import Conflict


def _attempt(db: Database) -> tuple[int, int]:
    curriculum.sync_skills(db)
    tess = users.create_user(db, username="tess", display_name="T", role="teacher", password="password1").id
    ada = users.create_user(db, username="ada", display_name="A", role="student", password="password1").id
    problem = authoring.add_problem(db, author_id=tess, skill_id="linear_two_step", difficulty=3,
                                    kind="solve", prompt="Solve for x.", start="x^3 + x = 2", answer="x = 1")
    session = tutoring.start_session(db, user_id=ada).id
    return ada, tutoring.start_problem(db, session_id=session, user_id=ada, problem_id=problem).attempt_id


def test_steps_and_the_answer_are_checked_without_the_solver(db: Database) -> None:
    ada, attempt = _attempt(db)
    with pytest.raises(Conflict, match="no step hints for this problem"):
        help.request_hint(db, attempt_id=attempt, user_id=ada)

    def step(text: str, request: str) -> tutoring.StepResult:
        return tutoring.submit_step(db, attempt_id=attempt, user_id=ada, text=text, client_request_id=request,
                                    time_taken_ms=1000)

    wrong = step("x = 2", "a")
    assert (wrong.verdict, wrong.solved) == ("invalid", False)
    same = step("x + x^3 = 2", "b")  # a true line, but not the answer yet
    assert same.accepted and not same.solved
    right = step("x = 1", "c")
    assert right.accepted and right.solved
