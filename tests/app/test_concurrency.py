"""Many learners at once: nothing lost, nothing counted twice, retries stored once.

50 threads, one learner each, submit the same short solution (a right step, a wrong step, the final
answer) while half of them also resend every step, as a flaky network would. Afterwards the row counts
and the mastery bookkeeping must add up exactly.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.models import Attempt, MasteryEvent, Skill, SkillMastery, StepRecord, User
from app.services import authoring, tutoring
from app.services.errors import TryAgain

LEARNERS = 50
STEPS = ("2x = 4", "x = 3", "x = 2")  # right, wrong, final
EXPECTED_EVIDENCE = ["step_correct", "step_wrong", "step_correct", "problem_solved"]


def submit_as_a_browser_would(db: Database, **step) -> tutoring.StepResult:
    """Submit a step; on "try again" (the checker was busy, nothing stored) send it again, as asked."""
    for _ in range(30):
        try:
            return tutoring.submit_step(db, **step)
        except TryAgain:
            continue
    raise AssertionError("the checker never found time for this step")


def _learners(db: Database) -> tuple[list[int], int]:
    with db.transaction() as session:
        session.add(Skill(id="linear_two_step", name="Two-step", description="", position=0,
                          prerequisites=[]))
        people = [User(username=f"learner{i:02d}", display_name="", role="student", password_hash="-")
                  for i in range(LEARNERS)]
        teacher = User(username="teach", display_name="", role="teacher", password_hash="-")
        session.add_all([*people, teacher])
        session.flush()
        ids, teacher_id = [p.id for p in people], teacher.id
    problem_id = authoring.add_problem(
        db, author_id=teacher_id, skill_id="linear_two_step", difficulty=2, kind="solve",
        prompt="Solve for x.", start="2x + 3 = 7", answer="x = 2",
    )
    return ids, problem_id


@pytest.mark.slow
def test_fifty_learners_at_once(db: Database) -> None:
    user_ids, problem_id = _learners(db)
    barrier = threading.Barrier(LEARNERS)

    def learn(user_id: int) -> list[tutoring.StepResult]:
        session = tutoring.start_session(db, user_id=user_id)
        view = tutoring.start_problem(db, session_id=session.id, user_id=user_id, problem_id=problem_id)
        barrier.wait()  # everyone submits at the same moment
        results = []
        for number, text in enumerate(STEPS):
            for _ in range(2 if user_id % 2 else 1):  # odd learners resend every step
                results.append(submit_as_a_browser_would(
                    db, attempt_id=view.attempt_id, user_id=user_id, text=text,
                    client_request_id=f"{user_id}-{number}", time_taken_ms=500,
                ))
        return results

    with ThreadPoolExecutor(max_workers=LEARNERS) as pool:
        outcomes = dict(zip(user_ids, pool.map(learn, user_ids), strict=True))

    for results in outcomes.values():
        assert [r.duplicate for r in results].count(False) == len(STEPS)
        assert results[-1].solved
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(StepRecord)) == LEARNERS * len(STEPS)
        assert session.scalar(select(func.count()).where(Attempt.status == "solved")) == LEARNERS
        query = select(MasteryEvent.user_id, MasteryEvent.evidence).order_by(MasteryEvent.id)
        events = session.execute(query)
        per_learner: dict[int, list[str]] = {}
        for user_id, evidence in events:
            per_learner.setdefault(user_id, []).append(evidence)
        assert per_learner == {user_id: EXPECTED_EVIDENCE for user_id in user_ids}
        rows = session.scalars(select(SkillMastery)).all()
        assert len(rows) == LEARNERS
        assert {(r.updates, r.problems_finished) for r in rows} == {(len(EXPECTED_EVIDENCE), 1)}
        # Same evidence in the same order gives every learner exactly the same estimate.
        assert len({round(r.p_mastery, 12) for r in rows}) == 1


def test_the_same_step_sent_at_once_is_stored_once(db: Database) -> None:
    [user_id, *_], problem_id = _learners(db)
    session = tutoring.start_session(db, user_id=user_id)
    view = tutoring.start_problem(db, session_id=session.id, user_id=user_id, problem_id=problem_id)
    barrier = threading.Barrier(10)

    def send(_: int) -> tutoring.StepResult:
        barrier.wait()
        return tutoring.submit_step(db, attempt_id=view.attempt_id, user_id=user_id, text="2x = 4",
                                    client_request_id="once", time_taken_ms=100)

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(send, range(10)))
    assert [r.duplicate for r in results].count(False) == 1
    assert len({r.step_id for r in results}) == 1
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(StepRecord)) == 1
        assert session.scalar(select(func.count()).select_from(MasteryEvent)) == 1
