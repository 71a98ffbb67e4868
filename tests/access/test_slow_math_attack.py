"""Replays the slow-math attacks against the live app: no SymPy work on request threads, no stalled server.

``(x^2+x+1)^999 = (x^2+x+1)^999`` on a linear problem once passed the check and then ran ``expand`` in the
web process with no limit, stalling everyone and growing the server to 8 GB; four threads of steps such as
``x^999 + x^998 + 7x^3 - 3 = 2`` made another student's ordinary steps "unverifiable". Now every check runs
in the checking pool under its own CPU budget, and one user holds at most their share of it.
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

from app.services import authoring, classes, tutoring
from app.services.users import create_user
from tests.access.conftest import PASSWORD

ATTACKS = ["(x^2+x+1)^999 = (x^2+x+1)^999", "x^999 + x^998 + 7x^3 - 3 = 2"]
ATTACKERS = 4
ORDINARY = [("2x = 10", "invalid"), ("2x = 4", "equivalent"), ("x = 3", "invalid"), ("x = 2", "equivalent")]


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _linear_attempt(world, username: str) -> int:
    """An attempt at "2x + 3 = 7" (solved by 2x = 4, then x = 2) for ``username``."""
    user_id = world.ids[username]
    problem_id = authoring.add_problem(
        world.db, author_id=world.ids["tess"], skill_id="linear_two_step", difficulty=2, kind="solve",
        prompt="Solve for x.", start="2x + 3 = 7", answer="x = 2",
    )
    session_id = tutoring.start_session(world.db, user_id=user_id).id
    view = tutoring.start_problem(world.db, session_id=session_id, user_id=user_id, problem_id=problem_id)
    return view.attempt_id


def test_slow_steps_from_one_student_neither_stall_nor_change_another_students_verdicts(world) -> None:
    world.ids["bea"] = create_user(world.db, username="bea", display_name="bea", role="student",
                                   password=PASSWORD).id
    classes.enroll_student(world.db, class_id=world.ids["Algebra"], student_id=world.ids["bea"])
    attacker, victim = world.headers("ada"), world.headers("bea")
    attack_attempt, ordinary_attempt = _linear_attempt(world, "ada"), _linear_attempt(world, "bea")
    memory_before = _resident_mb()
    attack_answers: list[tuple[int, dict]] = []

    def attack(text: str) -> None:
        body = {"text": text, "client_request_id": uuid.uuid4().hex, "time_taken_ms": 1000}
        response = world.client.post(f"/api/attempts/{attack_attempt}/steps", headers=attacker, json=body)
        attack_answers.append((response.status_code, response.json()))

    threads = [threading.Thread(target=attack, args=(ATTACKS[n % 2],)) for n in range(ATTACKERS)]
    for thread in threads:
        thread.start()
    verdicts = []
    for number, (text, _) in enumerate(ORDINARY):
        body = {"text": text, "client_request_id": f"bea-{number}", "time_taken_ms": 1000}
        response = world.client.post(f"/api/attempts/{ordinary_attempt}/steps", headers=victim, json=body)
        assert response.status_code == 200, response.text
        verdicts.append(response.json()["verdict"])
    for thread in threads:
        thread.join()

    assert verdicts == [verdict for _, verdict in ORDINARY]  # exactly what a quiet server says
    assert len(attack_answers) == ATTACKERS
    for status, body in attack_answers:
        # Either checked (the huge identity is "no work": not accepted, nothing learned) or "try again",
        # with nothing stored; never a server error.
        assert status in (200, 503), body
        if status == 200:
            assert not body["accepted"] and not body["solved"]
        else:
            assert "try again" in body["detail"]
    assert _resident_mb() - memory_before < 300, "the web process grew: math ran on a request thread"
    assert world.client.get("/health").status_code == 200
