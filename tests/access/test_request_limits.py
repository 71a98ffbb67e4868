"""Memory exhaustion without a login, replayed: huge bodies, chunked bodies, echoed validation errors,
and a flood of distinct megabyte usernames at the login throttle."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from app.web.throttle import RecentEvents

MIB = 1024 * 1024


def test_a_huge_json_body_is_refused_before_it_is_read(world) -> None:
    body = b'{"username": "' + b"a" * (8 * MIB) + b'", "password": "x"}'
    response = world.client.post("/api/login", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert len(response.content) < 1000  # before: a 200 MB body came back as a 419 MB 422


def test_a_chunked_body_without_a_length_is_cut_off_too(world) -> None:
    def chunks():
        yield b'{"username": "'
        for _ in range(4):
            yield b"a" * MIB
        yield b'", "password": "x"}'

    response = world.client.post("/api/login", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_gradio_event_calls_get_the_small_limit_and_uploads_their_own(world) -> None:
    ada, root = world.headers("ada"), world.headers("root")
    event = b'{"fn_index": 0, "data": ["' + b"x" * (2 * MIB) + b'"], "session_hash": "big"}'
    response = world.client.post("/student/gradio_api/queue/join", content=event,
                                 headers={**ada, "content-type": "application/json"})  # fmt: skip
    assert response.status_code == 413
    # An upload between the two limits passes the cap (the admin page takes batch files) ...
    files = {"files": ("batch.csv", b"learner,problem,answer,expected\n" + b"a,b,c,d\n" * (MIB // 8))}
    assert world.client.post("/admin/gradio_api/upload", headers=root, files=files).status_code == 200
    # ... and one over the upload limit is refused.
    too_big = world.settings.upload_body_limit + 1
    response = world.client.post("/admin/gradio_api/upload", headers=root,
                                 files={"files": ("big.csv", b"x" * too_big)})  # fmt: skip
    assert response.status_code == 413


def test_validation_errors_never_echo_the_input(world) -> None:
    marker = "ECHO" * 20_000  # 80 kB: under the body limit, far over the field's 64 characters
    response = world.client.post("/api/login", json={"username": marker, "password": 5, marker: 1})
    assert response.status_code == 422
    assert "ECHOECHO" not in response.text and len(response.content) < 2000
    detail = response.json()["detail"]
    assert {tuple(error["loc"]) for error in detail} >= {("body", "username"), ("body", "password")}
    assert all(error["msg"] for error in detail)


def test_gradio_event_calls_with_a_forged_payload_do_not_echo_it_either(world) -> None:
    marker = "ECHO" * 50_000
    response = world.client.post("/student/gradio_api/queue/join", headers=world.headers("ada"),
                                 json={"fn_index": marker, "data": marker})  # fmt: skip
    assert response.status_code == 422
    assert "ECHOECHO" not in response.text and len(response.content) < 2000
    locations = {tuple(error["loc"]) for error in response.json()["detail"]}
    assert locations == {("body", "fn_index"), ("body", "data")}


def test_a_flood_of_distinct_huge_usernames_keeps_the_throttle_small(world) -> None:
    throttle = world.client.app.state.login_throttle
    attacker = TestClient(world.client.app, client=("203.0.113.9", 40000))  # its own address's budget
    for i in range(40):
        username = f"{i}-" + "u" * 200_000
        response = attacker.post("/login", data={"username": username, "password": "guess-guess"})
        assert response.status_code in (401, 429)
    stored = throttle._failures["account"]._times  # only fixed-size digests, never the names
    assert all(len(key) == 16 for key in stored)
    assert len(json.dumps([key.hex() for key in stored])) < 40 * 40


def test_the_throttles_store_is_bounded_and_forgets_quiet_keys() -> None:
    events = RecentEvents(window_s=60, max_events=3, max_keys=100)
    for i in range(1000):
        events.add(f"key-{i}", now=float(i) / 100)
    assert len(events) == 100  # the least recently used went first
    events.add("late", now=1000.0)  # a minute after the rest: they were all quiet for a whole window
    assert len(events) == 1
    for _ in range(10):
        events.add("late", now=1000.0)
    assert len(events.recent("late", now=1000.0)) == 3  # events per key are capped too
