"""Login sessions: the cookie is out of reach of scripts and other sites, logout ends the session, and
passwords never reach the logs."""

from __future__ import annotations

import logging

import pytest

PASSWORD = "correct-horse-battery"  # the accounts' password in this directory's conftest


def test_the_session_cookie_is_http_only_secure_and_same_site(world) -> None:
    response = world.client.post("/login", data={"username": "ada", "password": PASSWORD},
                                 follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "flashtutor_session=" in cookie
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    world.client.cookies.clear()


def test_logout_ends_the_session_on_the_server(world) -> None:
    token = world.token("ada")
    headers = {"Authorization": f"Bearer {token}"}
    assert world.client.get("/api/me", headers=headers).status_code == 200
    world.client.post("/logout", headers=headers, follow_redirects=False)
    assert world.client.get("/api/me", headers=headers).status_code == 401


def test_a_forged_or_garbled_token_is_refused(world) -> None:
    for token in ("", "x", "a" * 5000, "ada", "' OR 1=1 --"):
        response = world.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


def test_passwords_are_never_logged(world, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    world.client.post("/api/login", json={"username": "ada", "password": "wrong-secret-guess"})
    world.token("ada")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert PASSWORD not in logged and "wrong-secret-guess" not in logged
