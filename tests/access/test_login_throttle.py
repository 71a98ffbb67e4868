"""Login guessing, replayed: a student locking their teacher out, one address trying many usernames,
and telling real usernames from unknown ones by how long the answer takes.

The throttle runs on a test clock, so waiting is instant and nothing depends on wall time.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.security import dummy_password_hash
from app.services import users
from app.web.throttle import LoginThrottle

PASSWORD = "correct-horse-battery"  # the accounts' password in this directory's conftest


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(world) -> Iterator[Clock]:
    """A fresh throttle on a test clock for this test (Starlette's State does not suit monkeypatch)."""
    state, clock = world.client.app.state, Clock()
    original, state.login_throttle = state.login_throttle, LoginThrottle(clock=clock)
    yield clock
    state.login_throttle = original


def _client(world, address: str) -> TestClient:
    return TestClient(world.client.app, base_url="https://testserver", client=(address, 40000))


def _login(client: TestClient, username: str, password: str):
    return client.post("/api/login", json={"username": username, "password": password})


def test_a_student_guessing_cannot_lock_the_teacher_out(world, clock) -> None:
    student, teacher = _client(world, "10.0.0.66"), _client(world, "10.0.0.7")
    codes = [_login(student, "tess", f"guess-{i}").status_code for i in range(40)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}  # the guesser is slowed down at once
    waited = _login(teacher, "tess", PASSWORD)
    assert waited.status_code == 429 and 1 <= int(waited.headers["retry-after"]) <= 30
    clock.now += 30  # the wait is capped: after it, the real password works again
    assert _login(teacher, "tess", PASSWORD).status_code == 200


def test_the_wait_doubles_and_a_refused_try_checks_nothing(world, clock) -> None:
    guesser = _client(world, "10.0.0.66")
    for i in range(5):
        assert _login(guesser, "tess", f"guess-{i}").status_code == 401
    waits = []
    for _ in range(4):
        refused = _login(guesser, "tess", PASSWORD)  # the right password, but it is not even checked
        assert refused.status_code == 429
        waits.append(int(refused.headers["retry-after"]))
        clock.now += waits[-1]
        assert _login(guesser, "tess", "still-wrong").status_code == 401
    assert waits == [1, 2, 4, 8]


def test_one_address_cannot_try_many_usernames_freely(world, clock) -> None:
    sprayer = _client(world, "10.0.0.99")
    codes = [_login(sprayer, f"user{i}", "Password1!").status_code for i in range(30)]
    assert codes[:20] == [401] * 20 and set(codes[20:]) == {429}
    # Another address (another class, another school) is not affected.
    assert _login(_client(world, "10.0.0.5"), "ada", PASSWORD).status_code == 200


def test_the_login_form_is_throttled_the_same_way(world, clock) -> None:
    browser = _client(world, "10.0.0.66")
    for i in range(5):
        form = browser.post("/login", data={"username": "root", "password": f"guess-{i}"})
        assert form.status_code == 401
    refused = browser.post("/login", data={"username": "root", "password": "guess"})
    assert refused.status_code == 429 and "wait" in refused.text and refused.headers["retry-after"]


def test_an_unknown_username_costs_the_same_password_hash_as_a_known_one(world, monkeypatch) -> None:
    checked: list[str] = []
    real_verify = users.verify_password

    def spy(stored_hash: str, password: str) -> bool:
        checked.append(stored_hash)
        return real_verify(stored_hash, password)

    monkeypatch.setattr(users, "verify_password", spy)
    guesser = _client(world, "10.0.0.123")
    assert _login(guesser, "nobody-here", "some-password").status_code == 401
    assert _login(guesser, "ada", "some-password").status_code == 401
    assert len(checked) == 2 and checked[0] == dummy_password_hash()  # Argon2 ran for the unknown name
    assert checked[1].startswith("$argon2id$") and checked[1] != checked[0]
