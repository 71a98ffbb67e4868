"""A step's outcome decides what is stored: real progress only, and nothing at all for a check that could
not finish (SQLite, PostgreSQL). Batch items that cannot be checked need review, never "incorrect"."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.models import Attempt, MasteryEvent, StepRecord, User
from app.services import assessment, authoring, curriculum, tutoring
from app.services.errors import TryAgain
from app.worker.flags import MemoryFlags
from tutor import checking

STARVED = checking.PoolSettings(processes=1, cpu_seconds=0.05)
HEAVY = "(x+1)^900 = (x+2)^900 - 1"  # expanding this takes far more than 0.05 s of CPU
BUSY = checking.PoolSettings(processes=1, wait_seconds=0.3)


@pytest.fixture
def attempt(db: Database) -> tuple[int, int]:
    """(user id, attempt id) at "2x + 3 = 7" (answer x = 2)."""
    curriculum.sync_skills(db)
    with db.transaction() as session:
        user = User(username="ada", display_name="ada", role="student", password_hash="-")
        teacher = User(username="teach", display_name="teach", role="teacher", password_hash="-")
        session.add_all([user, teacher])
        session.flush()
        user_id, teacher_id = user.id, teacher.id
    problem_id = authoring.add_problem(
        db, author_id=teacher_id, skill_id="linear_two_step", difficulty=2, kind="solve",
        prompt="Solve for x.", start="2x + 3 = 7", answer="x = 2",
    )
    session_id = tutoring.start_session(db, user_id=user_id).id
    view = tutoring.start_problem(db, session_id=session_id, user_id=user_id, problem_id=problem_id)
    return user_id, view.attempt_id


@pytest.fixture
def starved(request: pytest.FixtureRequest) -> Iterator[None]:
    """The named pool with a budget too small for heavy checks; the usual pool again afterwards."""
    name = getattr(request, "param", checking.INTERACTIVE)
    checking.configure(name, STARVED)
    yield
    checking.configure(name, checking.default_settings(name))


@contextmanager
def all_processes_taken() -> Iterator[None]:
    """The interactive pool's only process held by someone else's long check for the duration."""
    checking.configure(checking.INTERACTIVE, BUSY)
    checking.warm()
    holder = threading.Thread(target=checking.run, args=(time.sleep, 3.0), kwargs={"key": "someone else"})
    holder.start()
    while checking.pool().idle():
        time.sleep(0.01)
    try:
        yield
    finally:
        holder.join()
        checking.configure(checking.INTERACTIVE, checking.default_settings(checking.INTERACTIVE))


def _submit(db: Database, user_id: int, attempt_id: int, text: str, request_id: str) -> tutoring.StepResult:
    return tutoring.submit_step(db, attempt_id=attempt_id, user_id=user_id, text=text,
                                client_request_id=request_id, time_taken_ms=1000)


def _events(db: Database, user_id: int) -> list[str]:
    with db.transaction() as session:
        return list(session.scalars(select(MasteryEvent.evidence).where(MasteryEvent.user_id == user_id)
                                    .order_by(MasteryEvent.id)))


def test_identities_and_repeats_are_stored_but_teach_the_learner_model_nothing(db, attempt) -> None:
    user_id, attempt_id = attempt
    lines = ["0 = 0", "x = x", "1 = 1", "2x + 3 = 7", "7 = 2x + 3"] * 7  # 35 lines of no work
    results = [_submit(db, user_id, attempt_id, line, f"r{n}") for n, line in enumerate(lines)]
    assert all(not r.solved for r in results)
    assert _events(db, user_id) == []
    with db.transaction() as session:
        assert session.get_one(Attempt, attempt_id).current_state in ("2x + 3 = 7", "7 = 2x + 3")
    assert _submit(db, user_id, attempt_id, "2x = 4", "real").verdict == "equivalent"
    assert _submit(db, user_id, attempt_id, "x = 2", "final").solved
    assert _events(db, user_id) == ["step_correct", "step_correct", "problem_solved"]


def _nothing_stored(db: Database, user_id: int, attempt_id: int) -> None:
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(StepRecord)) == 0
        assert session.get_one(Attempt, attempt_id).step_count == 0
    assert _events(db, user_id) == []


def test_a_check_that_spends_its_budget_stores_nothing_and_asks_to_try_again(db, attempt, starved) -> None:
    user_id, attempt_id = attempt
    with pytest.raises(TryAgain, match="try again in a moment"):
        _submit(db, user_id, attempt_id, HEAVY, "once")
    _nothing_stored(db, user_id, attempt_id)


def test_a_check_that_gets_no_process_stores_nothing_and_the_resent_step_is_stored_once(db, attempt):
    user_id, attempt_id = attempt
    with all_processes_taken(), pytest.raises(TryAgain, match="try again in a moment"):
        _submit(db, user_id, attempt_id, "4x + 6 = 14", "same")
    _nothing_stored(db, user_id, attempt_id)
    assert _submit(db, user_id, attempt_id, "4x + 6 = 14", "same").verdict == "equivalent"
    assert _submit(db, user_id, attempt_id, "4x + 6 = 14", "same").duplicate


@pytest.mark.parametrize("starved", [checking.BATCH], indirect=True)
def test_a_batch_item_that_cannot_be_checked_needs_review_and_is_never_incorrect(db, tmp_path, starved):
    rows = tmp_path / "answers.csv"
    rows.write_text("learner,problem,answer,expected\n"
                    "ada,expand,(x+1)^900,(x+2)^900 - 1\nbob,expand,(x+3)^900,(x+1)^900 + 2\n",
                    encoding="utf-8")
    job_id = assessment.create_grading_job(db, rows)
    progress = assessment.run_job(db, job_id, generate=None, flags=MemoryFlags(), owner="test",
                                  results_dir=tmp_path)
    assert (progress.status, progress.done, progress.correct, progress.needs_review) == ("done", 2, 0, 2)
    results = assessment.results_path(tmp_path, job_id).read_text(encoding="utf-8")
    assert results.count('"correct": null') == 2 and results.count('"needs_review": true') == 2
