"""Framing, sniffing and cross-origin reads, replayed: every answer carries a Content-Security-Policy that
forbids framing, and no other origin may read a page's answers with the user's cookies (Gradio itself
reflected any Origin with credentials when the Host was not localhost)."""

from __future__ import annotations

import pytest

EVIL = "https://evil.example"


def _assert_protected(response) -> None:
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_the_login_page_has_a_strict_policy(world) -> None:
    response = world.client.get("/login")
    _assert_protected(response)
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy  # the form needs no script at all


@pytest.mark.parametrize(("user", "page"), [("ada", "/student/"), ("tess", "/teacher/"), ("root", "/admin/")])
def test_every_page_and_refusal_carries_the_headers(world, user: str, page: str) -> None:
    _assert_protected(world.client.get(page, headers=world.headers(user)))
    _assert_protected(world.client.get(page))  # the 401 too
    _assert_protected(world.client.get("/api/me"))
    _assert_protected(world.client.get("/static/login.css"))


@pytest.mark.parametrize("host", ["tutor.school.example", "localhost"])
def test_no_other_origin_may_read_answers_with_credentials(world, host: str) -> None:
    ada = world.headers("ada")
    read = world.client.get("/student/config", headers={**ada, "Origin": EVIL, "Host": host})
    assert read.status_code == 200
    assert "access-control-allow-origin" not in read.headers
    assert "access-control-allow-credentials" not in read.headers
    preflight = world.client.options("/student/gradio_api/queue/join", headers={
        "Origin": EVIL, "Host": host, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    })  # fmt: skip
    assert preflight.headers.get("access-control-allow-origin") in (None, "")
    assert "access-control-allow-credentials" not in preflight.headers
