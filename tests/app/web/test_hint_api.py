"""Hints over the JSON API: the ladder climbs, says where it ends, and only the learner may ask."""

from __future__ import annotations


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
