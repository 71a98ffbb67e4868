"""A teacher's problem the step-wise solver cannot work is still tutored: steps checked by the
verifier, the answer checked in its form, hints from the model where one is configured, and else a clear
word that there are no step hints. A word problem imported with no start is one of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.db import Database
from app.services import authoring, curriculum, help, tutoring, users
from app.services.errors import Conflict
from app.services.problem_import import import_problems
from app.services.tutor_model import TutorModel
from tests.app.scripted_model import scripted_client


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


DATA = Path("/work/shared/data")


def _public_row(name: str, number: int) -> dict:
    return json.loads((DATA / name).read_text().splitlines()[number - 1])


def _imported(db: Database, row: dict) -> tuple[int, int]:
    """Ada's attempt at the row, imported as it is published by Tess: (ada, attempt)."""
    curriculum.sync_skills(db)
    tess = users.create_user(db, username="tess", display_name="T", role="teacher", password="password1").id
    ada = users.create_user(db, username="ada", display_name="A", role="student", password="password1").id
    [problem] = import_problems(db, author_id=tess, text=json.dumps(row), filename="set.jsonl")
    session = tutoring.start_session(db, user_id=ada).id
    return ada, tutoring.start_problem(db, session_id=session, user_id=ada, problem_id=problem).attempt_id


def _steps(db: Database, ada: int, attempt: int, *lines: str) -> list[tutoring.StepResult]:
    return [tutoring.submit_step(db, attempt_id=attempt, user_id=ada, text=line, client_request_id=f"s{n}",
                                 time_taken_ms=1000) for n, line in enumerate(lines)]


def test_a_gsm8k_word_problem_with_no_start_is_tutored_by_its_answer(db: Database) -> None:
    ada, attempt = _imported(db, _public_row("gsm8k-test.jsonl", 1))  # Janet's ducks: 18 dollars
    view = tutoring.current_problem(db, attempt_id=attempt, user_id=ada)
    assert (view.start, view.latex, view.current_state) == ("", "", "")
    with pytest.raises(Conflict, match="no step hints for this problem"):
        help.request_hint(db, attempt_id=attempt, user_id=ada)
    slip, right, guess, product, answer = _steps(
        db, ada, attempt, "16 - 3 - 4 = 8", "16 - 3 - 4 = 9", "17", "9 * 2", "18")
    assert (slip.verdict, slip.accepted) == ("invalid", False)  # the arithmetic is checked on its own
    assert (right.verdict, right.accepted, right.solved) == ("equivalent", True, False)
    assert (guess.verdict, guess.accepted) == ("invalid", False)
    assert "not the expected answer" in guess.message
    assert product.accepted and not product.solved and "arithmetic to do" in product.message
    assert answer.solved
    assert tutoring.finish_problem(db, attempt_id=attempt, user_id=ada).status == "solved"


def test_a_math500_problem_checks_the_learners_own_lines_against_each_other(db: Database) -> None:
    ada, attempt = _imported(db, _public_row("math500.jsonl", 24))  # x = sqrt(11 - 2x) + 4: x = 5
    setup, isolated, squared, lost, answer = _steps(
        db, ada, attempt, "x = \\sqrt{11-2x} + 4", "x - 4 = \\sqrt{11 - 2x}", "x^2 - 8x + 16 = 11 - 2x",
        "x = 1", "x = 5")
    assert setup.accepted and isolated.accepted and not isolated.solved
    assert (squared.verdict, squared.accepted) == ("implied", True)  # squaring may add a solution; it says so
    assert (lost.verdict, lost.accepted) == ("invalid", False)
    assert answer.solved


def test_a_text_answer_is_checked_as_text(db: Database) -> None:
    ada, attempt = _imported(db, _public_row("math500.jsonl", 5))  # the answer is \text{Evelyn}
    wrong, right = _steps(db, ada, attempt, "Bob", "Evelyn")
    assert (wrong.verdict, wrong.accepted, right.solved) == ("invalid", False, True)


def test_a_model_hint_is_asked_for_only_beyond_the_solver(db: Database) -> None:
    ada, attempt = _attempt(db)  # x^3 + x = 2, which the solver cannot work
    asked: list[str] = []
    tutor = TutorModel(scripted_client(["Try small whole numbers: is $x^3 + x - 2 = 0$ easier?"]))
    hint = help.request_hint(db, attempt_id=attempt, user_id=ada, tutor=tutor,
                             before_model=lambda: asked.append("model"))
    assert (hint.source, hint.kind, hint.level, asked) == ("model", "model", 1, ["model"])
    assert hint.text == "Try small whole numbers: is $x^3 + x - 2 = 0$ easier? ✓"
    # A problem the solver can work gets the solver's ladder; the model is not asked.
    session = tutoring.start_session(db, user_id=ada).id
    generated = curriculum.next_problem(db, session_id=session, user_id=ada, skill_id="linear_two_step")
    ladder = help.request_hint(db, attempt_id=generated.attempt_id, user_id=ada, tutor=tutor,
                               before_model=lambda: asked.append("model"))
    assert ladder.source == "solver" and asked == ["model"]
