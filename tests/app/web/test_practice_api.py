"""The practice flow over the JSON API: a student works a problem; the teacher (only theirs) sees it."""

from __future__ import annotations

import uuid

from app.services import web_queries
from tutor.solver import solve


def submit(world, headers: dict[str, str], attempt_id: int, text: str) -> dict:
    body = {"text": text, "client_request_id": uuid.uuid4().hex, "time_taken_ms": 1500}
    response = world.client.post(f"/api/attempts/{attempt_id}/steps", headers=headers, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_student_solves_a_problem_and_the_teacher_sees_it(world) -> None:
    ada = world.as_user("ada")
    session = world.client.post("/api/sessions", headers=ada, json={}).json()
    problem = world.client.post(f"/api/sessions/{session['id']}/next", headers=ada).json()
    assert problem["status"] == "in_progress" and problem["latex"]
    tutor_problem, _ = web_queries.attempt_problem(
        world.db, user_id=world.ids["ada"], attempt_id=problem["attempt_id"]
    )
    steps = [step.after for step in solve(tutor_problem)]

    wrong = submit(world, ada, problem["attempt_id"], "x = 123456")
    assert wrong["verdict"] == "invalid" and not wrong["accepted"] and wrong["message"]
    results = [submit(world, ada, problem["attempt_id"], step) for step in steps]
    assert results[-1]["solved"] is True
    assert all(r["accepted"] for r in results)

    progress = world.client.get(f"/api/users/{world.ids['ada']}/progress", headers=ada).json()
    assert progress["problems_solved"] >= 1

    tess, tom = world.as_user("tess"), world.as_user("tom")
    detail = world.client.get(f"/api/attempts/{problem['attempt_id']}", headers=tess).json()
    assert detail["steps"][0]["verdict"] == "invalid"
    assert detail["steps"][-1]["is_final_answer"] is True
    recent = world.client.get(f"/api/classes/{world.ids['Algebra']}/attempts", headers=tess).json()
    assert problem["attempt_id"] in [a["id"] for a in recent]
    assert world.client.get(f"/api/attempts/{problem['attempt_id']}", headers=tom).status_code == 403
    bob = world.as_user("bob")
    assert world.client.get(f"/api/attempts/{problem['attempt_id']}", headers=bob).status_code == 403


def test_a_student_cannot_step_in_someone_elses_attempt(world) -> None:
    ada, bob = world.as_user("ada"), world.as_user("bob")
    session = world.client.post("/api/sessions", headers=ada, json={}).json()
    problem = world.client.post(f"/api/sessions/{session['id']}/next", headers=ada).json()
    body = {"text": "x = 1", "client_request_id": "bob-1"}
    response = world.client.post(f"/api/attempts/{problem['attempt_id']}/steps", headers=bob, json=body)
    assert response.status_code in (403, 404)
    assert world.client.post(f"/api/sessions/{session['id']}/next", headers=bob).status_code in (403, 404)


def test_bad_step_input_gets_a_clear_error(world) -> None:
    ada = world.as_user("ada")
    session = world.client.post("/api/sessions", headers=ada, json={}).json()
    problem = world.client.post(f"/api/sessions/{session['id']}/next", headers=ada).json()
    url = f"/api/attempts/{problem['attempt_id']}/steps"
    empty = world.client.post(url, headers=ada, json={"text": "   ", "client_request_id": "a"})
    assert empty.status_code == 422 and "step" in empty.json()["detail"]
    garbage = submit(world, ada, problem["attempt_id"], "x = = ((")
    assert garbage["verdict"] == "unparsable" and garbage["message"]
    missing = world.client.post(
        "/api/attempts/999999/steps", headers=ada, json={"text": "x=1", "client_request_id": "b"}
    )
    assert missing.status_code == 404


def test_assignments_reach_only_the_class_they_are_set_for(world) -> None:
    tess, ada, bob = world.as_user("tess"), world.as_user("ada"), world.as_user("bob")
    algebra = world.ids["Algebra"]
    body = {"title": "Week 1", "skill_id": "linear_two_step", "difficulty": 2, "problem_count": 3,
            "due_at": "2030-01-31T23:59:00Z"}  # fmt: skip
    created = world.client.post(f"/api/classes/{algebra}/assignments", headers=tess, json=body)
    assert created.status_code == 200, created.text
    assignment = created.json()["id"]
    assert [a["title"] for a in world.client.get("/api/me/assignments", headers=ada).json()] == ["Week 1"]
    assert world.client.get("/api/me/assignments", headers=bob).json() == []

    session = world.client.post("/api/sessions", headers=ada, json={"assignment_id": assignment})
    problem = world.client.post(f"/api/sessions/{session.json()['id']}/next", headers=ada).json()
    assert problem["skill_id"] == "linear_two_step" and problem["difficulty"] == 2
    refused = world.client.post("/api/sessions", headers=bob, json={"assignment_id": assignment})
    assert refused.status_code == 403

    other_class = world.client.post(
        f"/api/classes/{world.ids['Geometry']}/assignments", headers=tess, json=body
    )
    assert other_class.status_code == 403
    bad = world.client.post(
        f"/api/classes/{algebra}/assignments", headers=tess, json={**body, "skill_id": "magic"}
    )
    assert bad.status_code == 422 and "no skill 'magic'" in bad.json()["detail"]


def test_a_student_can_choose_the_skill_to_practise(world) -> None:
    ada = world.as_user("ada")
    session = world.client.post("/api/sessions", headers=ada, json={}).json()
    url = f"/api/sessions/{session['id']}/next"
    unknown = world.client.post(url, headers=ada, json={"skill_id": "magic"})
    assert unknown.status_code == 422 and "no skill 'magic'" in unknown.json()["detail"]
    chosen = world.client.post(url, headers=ada, json={"skill_id": "quadratic_formula"})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["skill_id"] == "quadratic_formula" and chosen.json()["status"] == "in_progress"
    finished = world.client.post(f"/api/attempts/{chosen.json()['attempt_id']}/finish", headers=ada)
    assert finished.status_code == 200
    again = world.client.post(url, headers=ada, json={"skill_id": "fractions"}).json()
    assert again["skill_id"] == "fractions" and again["attempt_id"] != chosen.json()["attempt_id"]


def test_a_student_skips_a_problem_and_gets_a_new_one(world) -> None:
    ada, bob = world.as_user("ada"), world.as_user("bob")
    session = world.client.post("/api/sessions", headers=ada, json={}).json()
    url = f"/api/sessions/{session['id']}/next"
    first = world.client.post(url, headers=ada, json={"skill_id": "linear_two_step"}).json()
    assert world.client.post(url, headers=ada, json={}).json()["attempt_id"] == first["attempt_id"]  # resumed
    skip = f"/api/attempts/{first['attempt_id']}/skip"
    assert world.client.post(skip, headers=bob).status_code in (403, 404)  # not his attempt
    skipped = world.client.post(skip, headers=ada)
    assert skipped.status_code == 200 and skipped.json()["status"] == "skipped", skipped.text
    assert world.client.post(skip, headers=ada).json()["status"] == "skipped"  # twice changes nothing
    after = world.client.post(url, headers=ada, json={}).json()
    assert after["attempt_id"] != first["attempt_id"]
    steps = f"/api/attempts/{first['attempt_id']}/steps"
    late = world.client.post(steps, headers=ada, json={"text": "x = 1", "client_request_id": "late"})
    assert late.status_code == 409  # a skipped problem takes no more steps
