"""Who may call what: logins, role checks on every route and page, ownership, expiry, rate limits."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from app.services.users import start_login_session
from app.web.auth import SESSION_COOKIE, RateLimited, RateLimiter


def test_health_and_readiness_need_no_login(world) -> None:
    assert world.client.get("/health").json() == {"status": "ok"}
    ready = world.client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok"}  # public: ok or not, the details are for admins
    status = world.client.get("/api/admin/status", headers=world.as_user("root")).json()
    assert status["status"] == "ok" and status["model_workers"] == 0


@pytest.mark.parametrize("path", ["/api/me", "/api/classes", "/api/users/1/progress", "/v1/models"])
def test_api_without_a_token_is_401(world, path: str) -> None:
    response = world.client.get(path)
    assert response.status_code == 401
    assert "sign in" in response.json()["detail"]


@pytest.mark.parametrize("page", ["/", "/student/", "/teacher/", "/admin/", "/api/docs"])
def test_pages_without_a_login_go_to_the_login_page(world, page: str) -> None:
    response = world.client.get(page, headers={"accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_login_page_is_public_and_a_wrong_password_is_refused_without_saying_which_part(world) -> None:
    assert "Sign in" in world.client.get("/login").text
    response = world.client.post("/login", data={"username": "ada", "password": "wrong-password"})
    assert response.status_code == 401
    assert "wrong username or password" in response.text
    assert SESSION_COOKIE not in response.cookies


def test_browser_login_sets_an_http_only_cookie_and_lands_on_the_role_page(world) -> None:
    response = world.client.post(
        "/login", data={"username": "tess", "password": world.password, "next": "https://evil.example/"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/teacher/"  # never an outside address
    assert "httponly" in response.headers["set-cookie"].lower()
    assert world.client.get("/teacher/", follow_redirects=False).status_code == 200
    world.client.cookies.clear()  # the next tests sign in with bearer tokens


@pytest.mark.parametrize(
    ("username", "allowed"), [("ada", "/student/"), ("tess", "/teacher/"), ("root", "/admin/")]
)
def test_each_role_opens_only_its_own_page(world, username: str, allowed: str) -> None:
    headers = world.as_user(username)
    for page in ("/student/", "/teacher/", "/admin/"):
        status = world.client.get(page, headers=headers, follow_redirects=False).status_code
        assert status == (200 if page == allowed else 403), (username, page)


def test_a_student_calling_a_teacher_page_event_directly_gets_403(world) -> None:
    response = world.client.post(
        "/teacher/gradio_api/queue/join", headers=world.as_user("ada"), json={"fn_index": 0, "data": []}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("username", "method", "path", "status"),
    [
        ("ada", "GET", "/api/classes", 403),
        ("ada", "GET", "/api/classes/{Algebra}/gradebook.csv", 403),
        ("tess", "POST", "/api/sessions", 403),
        ("root", "POST", "/api/sessions", 403),
        ("root", "GET", "/api/classes", 403),
        ("tess", "GET", "/api/classes", 200),
        ("ada", "POST", "/api/sessions", 200),
    ],
)
def test_role_checks_on_json_routes(world, username: str, method: str, path: str, status: int) -> None:
    url = path.format(**world.ids)
    response = world.client.request(method, url, headers=world.as_user(username), json={})
    assert response.status_code == status, response.text


def test_teachers_see_only_their_classes_and_their_students(world) -> None:
    tess = world.as_user("tess")
    assert [c["name"] for c in world.client.get("/api/classes", headers=tess).json()] == ["Algebra"]
    own = world.client.get(f"/api/classes/{world.ids['Algebra']}/gradebook.csv", headers=tess)
    assert own.status_code == 200 and own.text.startswith("username,") and "ada" in own.text
    other = world.client.get(f"/api/classes/{world.ids['Geometry']}/gradebook.csv", headers=tess)
    assert other.status_code == 403
    assert world.client.get(f"/api/users/{world.ids['ada']}/progress", headers=tess).status_code == 200
    assert world.client.get(f"/api/users/{world.ids['bob']}/progress", headers=tess).status_code == 403


def test_students_see_only_their_own_progress(world) -> None:
    ada = world.as_user("ada")
    assert world.client.get(f"/api/users/{world.ids['ada']}/progress", headers=ada).status_code == 200
    response = world.client.get(f"/api/users/{world.ids['bob']}/progress", headers=ada)
    assert response.status_code == 403
    assert "your own work" in response.json()["detail"]


def test_an_expired_login_is_refused(world) -> None:
    token = start_login_session(world.db, user_id=world.ids["ada"], ttl=timedelta(seconds=-1))
    response = world.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_logout_ends_the_login(world) -> None:
    headers = world.as_user("ada")
    assert world.client.get("/api/me", headers=headers).json()["username"] == "ada"
    world.client.post("/logout", headers=headers, follow_redirects=False)
    assert world.client.get("/api/me", headers=headers).status_code == 401


def test_passwords_are_never_logged(world, caplog: pytest.LogCaptureFixture) -> None:
    secret = "a-very-distinctive-secret"
    with caplog.at_level(logging.DEBUG):
        world.client.post("/api/login", json={"username": "ada", "password": secret})
        world.client.post("/login", data={"username": "ada", "password": secret})
        world.login("ada")
    assert secret not in caplog.text
    assert world.password not in caplog.text


def test_repeated_wrong_logins_are_slowed_down(world) -> None:
    responses = [
        world.client.post("/api/login", json={"username": "mallory", "password": "nope-nope"})
        for _ in range(7)
    ]
    assert [r.status_code for r in responses] == [401] * 5 + [429, 429]
    assert int(responses[-1].headers["retry-after"]) >= 1
    assert "wait" in responses[-1].json()["detail"]


def test_rate_limiter_window_slides() -> None:
    now = [0.0]
    limiter = RateLimiter(2, "requests", clock=lambda: now[0])
    limiter.take(1)
    now[0] = 10.0
    limiter.take(1)
    limiter.take(2)  # another user has their own budget
    with pytest.raises(RateLimited, match="wait 50 s"):
        limiter.take(1)
    now[0] = 60.5  # the first request left the window, the second has not
    limiter.take(1)
    with pytest.raises(RateLimited):
        limiter.check(1)


def test_rate_limiter_check_counts_nothing() -> None:
    limiter = RateLimiter(1, "sign-in attempts", clock=lambda: 0.0)
    for _ in range(5):
        limiter.check("ada")
    limiter.record("ada")
    with pytest.raises(RateLimited, match="too many sign-in attempts"):
        limiter.check("ada")


def test_rate_limiter_rejects_a_useless_limit() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RateLimiter(0, "requests")


@pytest.mark.redis
def test_with_a_broker_the_app_reads_the_worker_pool(make_world, redis_url: str) -> None:
    world = make_world(broker_url=redis_url)
    status = world.client.get("/api/admin/status", headers=world.as_user("root")).json()
    assert status["status"] == "ok" and isinstance(status["model_workers"], int)


def test_an_unreachable_broker_is_reported_not_fatal(make_world) -> None:
    world = make_world(broker_url="redis://127.0.0.1:1/0")
    ready = world.client.get("/ready")
    assert ready.status_code == 200 and ready.json() == {"status": "ok"}
    status = world.client.get("/api/admin/status", headers=world.as_user("root")).json()
    assert "broker cannot be reached" in status["model_workers"]
