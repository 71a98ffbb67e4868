"""PostgreSQL unreachable for a while: learners get a clear "try again" answer, nothing half-stored, and
the app serves again by itself once the database is back."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.postgres


def _step(client, headers, attempt_id: int, text: str):
    body = {"text": text, "client_request_id": uuid.uuid4().hex}
    return client.post(f"/api/attempts/{attempt_id}/steps", headers=headers, json=body)


def test_the_app_answers_clearly_while_the_database_is_away_and_recovers(
    database_url, pg_proxy, open_web, wait_for
) -> None:
    client, ada = open_web(pg_proxy.url(database_url))
    session = client.post("/api/sessions", headers=ada, json={}).json()
    attempt_id = client.post(f"/api/sessions/{session['id']}/next", headers=ada).json()["attempt_id"]
    assert _step(client, ada, attempt_id, "x = 123456").status_code == 200

    pg_proxy.cut()
    for call in (
        lambda: _step(client, ada, attempt_id, "x = 654321"),
        lambda: client.post(f"/api/attempts/{attempt_id}/hint", headers=ada),
        lambda: client.post("/api/login", json={"username": "ada", "password": "whatever"}),
        lambda: client.get("/api/me", headers=ada),
        lambda: client.get("/student/config", headers=ada),  # a Gradio page: the guard looks the user up
    ):
        response = call()
        assert response.status_code == 503, response.text
        assert "database" in response.json()["detail"] and "try again" in response.json()["detail"]
    ready = client.get("/ready")
    assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
    assert client.get("/health").status_code == 200

    pg_proxy.restore()
    wait_for(lambda: client.get("/ready").status_code == 200, timeout_s=30, what="the database back")
    assert _step(client, ada, attempt_id, "x = 42").status_code == 200
    steps = client.get(f"/api/attempts/{attempt_id}", headers=ada).json()["steps"]
    assert [s["text"] for s in steps] == ["x = 123456", "x = 42"]  # the step sent during the outage: none
