"""Hints over the JSON API: the ladder climbs, says where it ends, and only the learner may ask. For a
problem beyond the step-wise solver the hint is the model's, shown only when its math checks out and it
does not give the answer away; without a model the learner hears that there are no step hints."""

from __future__ import annotations

import pytest

from app.services import authoring, tutoring
from app.services.tutor_model import HINT_GAVE_AWAY, HINT_NOT_CHECKED
from tests.app.scripted_model import scripted_client
from tutor.workability import NO_STEP_HINTS


def _open_problem(world, headers: dict[str, str]) -> dict:
    session = world.client.post("/api/sessions", headers=headers, json={}).json()
    return world.client.post(f"/api/sessions/{session['id']}/next", headers=headers).json()


def test_hints_climb_the_ladder_and_are_stored(world) -> None:
    ada = world.as_user("ada")
    problem = _open_problem(world, ada)
    url = f"/api/attempts/{problem['attempt_id']}/hint"
    hints = [world.client.post(url, headers=ada) for _ in range(4)]
    assert all(h.status_code == 200 for h in hints), [h.text for h in hints]
    assert [(h.json()["level"], h.json()["last"], h.json()["repeated"]) for h in hints] == [
        (1, False, False), (2, False, False), (3, True, False), (3, True, True)
    ]
    assert all(h.json()["text"] for h in hints) and hints[3].json()["text"] == hints[2].json()["text"]
    detail = world.client.get(f"/api/attempts/{problem['attempt_id']}", headers=ada).json()
    assert detail["summary"]["hints"] == 3  # the repeated last rung is not counted again
    assert detail["hints"] == [h.json()["text"] for h in hints[:3]]


def test_a_hint_for_someone_elses_attempt_or_a_finished_one_is_refused(world) -> None:
    ada, bob = world.as_user("ada"), world.as_user("bob")
    problem = _open_problem(world, ada)
    url = f"/api/attempts/{problem['attempt_id']}/hint"
    assert world.client.post(url, headers=bob).status_code in (403, 404)
    assert world.client.post(url, headers=world.as_user("tess")).status_code == 403
    assert world.client.post(url).status_code == 401
    assert world.client.post("/api/attempts/999999/hint", headers=ada).status_code == 404
    world.client.post(f"/api/attempts/{problem['attempt_id']}/finish", headers=ada)
    finished = world.client.post(url, headers=ada)
    assert finished.status_code == 409 and "finished" in finished.json()["detail"]


CUBIC = {"prompt": "Solve for x.", "start": "x^3 + x = 2", "answer": "x = 1"}  # beyond the step-wise solver
EGGS = {"prompt": "Janet's ducks lay 16 eggs a day. She eats 3 and bakes with 4, and sells the rest for $2 "
                  "each. How many dollars does she make a day?", "start": "", "answer": "18"}  # no start


def _attempt_at(world, problem: dict) -> str:
    """Ada's attempt at a problem Tess wrote; the URL of its hints."""
    db, ids = world.db, world.ids
    problem_id = authoring.add_problem(
        db, author_id=ids["tess"], skill_id="linear_two_step", difficulty=3,
        kind=authoring.kind_of(problem["start"], problem["answer"]), **problem,
    )  # fmt: skip
    session = tutoring.start_session(db, user_id=ids["ada"]).id
    attempt = tutoring.start_problem(db, session_id=session, user_id=ids["ada"], problem_id=problem_id)
    return f"/api/attempts/{attempt.attempt_id}/hint"


def test_without_a_model_a_problem_beyond_the_solver_has_no_step_hints(world) -> None:
    ada = world.as_user("ada")
    for problem in (CUBIC, EGGS):
        refused = world.client.post(_attempt_at(world, problem), headers=ada)
        assert refused.status_code == 409 and refused.json()["detail"] == NO_STEP_HINTS


@pytest.fixture(scope="module")
def scripted(make_world):
    """The app with a model that writes whatever the test puts in ``replies``; ``asked`` the prompts."""
    replies, asked = [], []

    def reply(request: dict) -> list[str]:
        asked.append(request["messages"][-1]["content"])
        return [replies.pop(0)]

    world = make_world(client=scripted_client(reply), model_requests_per_minute=1000)
    return world, replies, asked


def test_a_verified_model_hint_is_shown_and_counted(scripted) -> None:
    world, replies, asked = scripted
    ada = world.as_user("ada")
    for problem, reply in [
        (CUBIC, "<think>x = 1 works.</think>Try small whole numbers. Moving 2 over: $x^3 + x - 2 = 0$"),
        (EGGS, "First find how many eggs are left to sell: $16 - 3 - 4 = 9$"),
    ]:
        url = _attempt_at(world, problem)
        replies.append(reply)
        hint = world.client.post(url, headers=ada)
        assert hint.status_code == 200, hint.text
        body = hint.json()
        assert (body["source"], body["kind"], body["level"], body["last"]) == ("model", "model", 1, False)
        assert body["text"].endswith("$ ✓") and "x = 1 works" not in body["text"]
        detail = world.client.get(url.removesuffix("/hint"), headers=ada).json()
        assert detail["hints"] == [body["text"]] and detail["summary"]["hints"] == 1
    assert problem["prompt"] in asked[-1] and "18" not in asked[-1]  # the model is never told the answer


def test_a_model_hint_that_does_not_check_out_or_gives_the_answer_away_is_refused(scripted) -> None:
    world, replies, _ = scripted
    ada = world.as_user("ada")
    for problem, reply, refusal in [
        (CUBIC, "Subtract 2 from both sides: $x^3 + x = 0$", HINT_NOT_CHECKED),  # a wrong step
        (EGGS, "She has $16 - 3 - 4 = 8$ eggs to sell.", HINT_NOT_CHECKED),  # wrong arithmetic
        (CUBIC, "Try $x = 1$ and see that it works.", HINT_GAVE_AWAY),  # the answer
        (EGGS, "Multiply the eggs left by the price: $9 \\times 2 = 18$", HINT_GAVE_AWAY),
    ]:
        url = _attempt_at(world, problem)
        replies.append(reply)
        refused = world.client.post(url, headers=ada)
        assert refused.status_code == 409 and refused.json()["detail"] == refusal, refused.text
        detail = world.client.get(url.removesuffix("/hint"), headers=ada).json()
        assert detail["hints"] == [] and detail["summary"]["hints"] == 0  # nothing shown, nothing counted
