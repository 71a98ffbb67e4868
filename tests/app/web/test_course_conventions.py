"""A course says what a bare ``log`` means, and its learners' steps are checked that way.

``log(x) = 2`` follows from ``log(x) = log(100)`` only when log is base 10: in a course that reads log as
the natural logarithm the same step is wrong, because ln 100 is about 4.6."""

from __future__ import annotations

from tutor.conventions import DEFAULT, Conventions
from tutor.outcome import step_outcome
from tutor.problems.problem import Problem

START = "log(x) = log(100)"


def _problem(conventions: Conventions = DEFAULT) -> Problem:
    return Problem("linear_one_step", 1, 0, "solve", "Solve for x.", START, START, "x = 100",
                   conventions=conventions)


def test_the_problem_reads_log_in_its_course_convention() -> None:
    assert step_outcome(_problem(), (), "log(x) = 2").status == "equivalent"
    assert step_outcome(_problem(Conventions(log_base="e")), (), "log(x) = 2").status == "invalid"
    natural = _problem(Conventions(log_base="e"))
    assert step_outcome(natural, (), "ln(x) = ln(100)").status == "equivalent"


def test_a_teacher_sets_the_log_base_and_her_students_steps_follow_it(world) -> None:
    tess, tom, ada = world.as_user("tess"), world.as_user("tom"), world.as_user("ada")
    algebra = world.ids["Algebra"]
    written = world.client.post("/api/problems", headers=tess, json={
        "prompt": "Solve for x.", "start": START, "answer": "x = 100", "skill_id": "linear_one_step",
        "difficulty": 1, "form": "solved:x"})
    assert written.status_code == 200, written.text

    def first_step_verdict(title: str) -> str:
        created = world.client.post(f"/api/classes/{algebra}/problem-sets", headers=tess,
                                    json={"title": title, "problem_ids": [written.json()["id"]]})
        assert created.status_code == 200, created.text
        body = {"assignment_id": created.json()["id"]}
        session = world.client.post("/api/sessions", headers=ada, json=body).json()["id"]
        problem = world.client.post(f"/api/sessions/{session}/next", headers=ada).json()
        step = {"text": "log(x) = 2", "client_request_id": title}
        result = world.client.post(f"/api/attempts/{problem['attempt_id']}/steps", headers=ada, json=step)
        assert result.status_code == 200, result.text
        return result.json()["verdict"]

    listed = world.client.get("/api/classes", headers=tess).json()
    assert next(c for c in listed if c["id"] == algebra)["log_base"] == "10"  # school calculators
    assert first_step_verdict("Logs, base 10") == "equivalent"

    url = f"/api/classes/{algebra}/conventions"
    assert world.client.put(url, headers=tom, json={"log_base": "e"}).status_code == 403  # not his class
    assert world.client.put(url, headers=ada, json={"log_base": "e"}).status_code == 403
    assert world.client.put(url, headers=tess, json={"log_base": "2"}).status_code == 422
    saved = world.client.put(url, headers=tess, json={"log_base": "e"})
    assert saved.status_code == 200 and saved.json()["log_base"] == "e"
    try:
        assert first_step_verdict("Logs, natural") == "invalid"
    finally:
        world.client.put(url, headers=tess, json={"log_base": "10"})  # the world is shared by the module
