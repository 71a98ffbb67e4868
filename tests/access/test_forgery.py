"""Cross-site request forgery, replayed: a page on another port of the same host (same site, so the
SameSite=Lax cookie goes along) makes a signed-in student's browser post to the app.

The browser here is a TestClient with its own cookie jar, signed in through the login form; the forged
requests carry what a browser would send: the cookie, and the forging page's Origin or Referer.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

PASSWORD = "correct-horse-battery"  # the accounts' password in this directory's conftest
OWN = "https://testserver"
SAME_SITE_OTHER_PORT = "https://testserver:8000"


@pytest.fixture
def browser(world) -> Iterator[TestClient]:
    """ada's browser: signed in by the login form, holding the session cookie."""
    client = TestClient(world.client.app, base_url=OWN)
    response = client.post("/login", data={"username": "ada", "password": PASSWORD}, headers={"Origin": OWN},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303 and client.cookies.get("flashtutor_session")
    yield client
    client.close()


@pytest.fixture
def attempt_id(world) -> int:
    headers = world.headers("ada")
    session = world.client.post("/api/sessions", headers=headers, json={}).json()
    return world.client.post(f"/api/sessions/{session['id']}/next", headers=headers).json()["attempt_id"]


def _finished(world, attempt_id: int) -> bool:
    detail = world.client.get(f"/api/attempts/{attempt_id}", headers=world.headers("ada")).json()
    return detail["summary"]["status"] != "in_progress"


@pytest.mark.parametrize(
    "source",
    [
        {"Origin": SAME_SITE_OTHER_PORT},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame or a local file
        {"Referer": f"{SAME_SITE_OTHER_PORT}/prize.html"},  # an old browser that sends only Referer
        {},  # neither header, yet the login cookie
    ],
    ids=["other-port", "other-site", "null", "referer-only", "no-origin"],
)
def test_a_forged_form_post_cannot_finish_the_students_attempt(world, browser, attempt_id, source) -> None:
    response = browser.post(f"/api/attempts/{attempt_id}/finish", headers=source)
    assert response.status_code == 403
    assert "another site" in response.json()["detail"]
    assert not _finished(world, attempt_id)


def test_the_apps_own_pages_and_api_clients_still_can(world, browser, attempt_id) -> None:
    own = browser.post(f"/api/attempts/{attempt_id}/finish", headers={"Origin": OWN})
    assert own.status_code == 200 and _finished(world, attempt_id)
    referer = browser.post("/api/sessions", headers={"Referer": f"{OWN}/student/"}, json={})
    assert referer.status_code == 200
    # An API client's bearer token is never added by a browser on its own, so it needs no origin.
    api = world.client.post("/api/sessions", headers={**world.headers("ada"), "Origin": "https://evil.example"},
                            json={})  # fmt: skip
    assert api.status_code == 200


def test_gradio_event_calls_are_checked_too(browser) -> None:
    forged = browser.post("/student/gradio_api/queue/join", headers={"Origin": SAME_SITE_OTHER_PORT},
                          json={"fn_index": 0, "data": [], "session_hash": "forged"})  # fmt: skip
    assert forged.status_code == 403
    upload = browser.post("/student/gradio_api/upload", headers={"Origin": SAME_SITE_OTHER_PORT},
                          files={"files": ("a.txt", b"x")})  # fmt: skip
    assert upload.status_code == 403


def test_logout_is_post_only_and_cannot_be_forged(world, browser) -> None:
    assert browser.get("/logout", follow_redirects=False).status_code == 405  # <img src=/logout> does nothing
    forged = browser.post("/logout", headers={"Origin": SAME_SITE_OTHER_PORT}, follow_redirects=False)
    assert forged.status_code == 403
    assert browser.get("/api/me").status_code == 200  # still signed in
    signed_out = browser.post("/logout", headers={"Origin": OWN}, follow_redirects=False)
    assert signed_out.status_code == 303
    assert browser.get("/api/me").status_code == 401


def test_another_site_cannot_sign_a_browser_in(world) -> None:
    """Login forgery: a foreign page posting the attacker's credentials into the victim's browser."""
    victim = TestClient(world.client.app, base_url=OWN)
    response = victim.post("/login", data={"username": "ada", "password": PASSWORD},
                           headers={"Origin": "https://evil.example"}, follow_redirects=False)  # fmt: skip
    assert response.status_code == 403
    assert "flashtutor_session" not in victim.cookies
