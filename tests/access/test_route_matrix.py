"""Every HTTP route and every Gradio page against every role and a logged-out client.

The routes come from the app itself, so a route added without a line in ``WHO_MAY`` fails the first
test. A role that may call a route never gets 401/403 (nor a 5xx); anyone else gets 401 when logged
out and 403 (or 404 for someone else's object) when signed in with the wrong role.

Each Gradio page also has routes of FlashTutor's in front of it (``app.web.gradio_files``): Gradio's
file download routes, which no one may use, its upload route, which only pages with a file input
keep, and its event queue. They are called here with a real file and a real upload; forged event
payloads (FileData, other pages' events, oversized text) are in test_gradio_files.py.
"""

from __future__ import annotations

import pytest
from starlette.routing import Mount, Route

from app.web.factory import create_app

ANYONE = "anyone"
NOBODY: tuple[str, ...] = ()
SIGNED_IN = ("student", "teacher", "admin")
ROLES = ("logged out", *SIGNED_IN)

# (method, path) -> who may call it. Page mounts are listed as ("MOUNT", prefix).
WHO_MAY: dict[tuple[str, str], str | tuple[str, ...]] = {
    ("GET", "/"): ANYONE,
    ("GET", "/login"): ANYONE,
    ("POST", "/login"): ANYONE,
    ("POST", "/logout"): ANYONE,  # POST only: a link on another site cannot sign anyone out
    ("GET", "/health"): ANYONE,
    ("GET", "/ready"): ANYONE,
    ("MOUNT", "/static"): ANYONE,
    ("POST", "/api/login"): ANYONE,
    ("GET", "/api/docs"): SIGNED_IN,
    ("MOUNT", "/api/docs/assets"): SIGNED_IN,  # Swagger UI's own files, served from the package
    ("GET", "/api/openapi.json"): SIGNED_IN,
    ("GET", "/api/me"): SIGNED_IN,
    ("GET", "/api/admin/status"): ("admin",),
    ("GET", "/api/users/{user_id}/progress"): ("student", "teacher"),  # the learner, or their teacher
    ("POST", "/api/sessions"): ("student",),
    ("POST", "/api/sessions/{session_id}/next"): ("student",),
    ("GET", "/api/attempts/{attempt_id}"): ("student", "teacher"),
    ("GET", "/api/attempts/{attempt_id}/tutor-replies"): ("teacher", "admin"),  # the model's reasoning
    ("POST", "/api/attempts/{attempt_id}/steps"): ("student",),
    ("POST", "/api/attempts/{attempt_id}/hint"): ("student",),
    ("POST", "/api/attempts/{attempt_id}/finish"): ("student",),
    ("POST", "/api/attempts/{attempt_id}/skip"): ("student",),
    ("GET", "/api/me/assignments"): ("student",),
    ("GET", "/api/classes"): ("teacher",),
    ("GET", "/api/classes/{class_id}/attempts"): ("teacher",),
    ("PUT", "/api/classes/{class_id}/conventions"): ("teacher",),
    ("GET", "/api/classes/{class_id}/assignments"): ("teacher",),
    ("POST", "/api/classes/{class_id}/assignments"): ("teacher",),
    ("GET", "/api/classes/{class_id}/gradebook.csv"): ("teacher",),
    ("POST", "/api/classes/{class_id}/problem-sets"): ("teacher",),
    ("GET", "/api/classes/{class_id}/assignment-report"): ("teacher",),
    ("POST", "/api/problems"): ("teacher",),
    ("POST", "/api/problems/import"): ("teacher",),
    ("POST", "/api/users/{user_id}/password"): ("teacher", "admin"),  # ada's teacher, or an admin
    ("POST", "/api/classes/{class_id}/login-cards"): ("teacher", "admin"),
    ("GET", "/api/jobs/{job_id}/results.jsonl"): ("admin",),
    ("GET", "/v1/models"): SIGNED_IN,
    ("POST", "/v1/chat/completions"): SIGNED_IN,
    ("POST", "/v1/completions"): SIGNED_IN,
    ("MOUNT", "/student"): ("student",),
    ("MOUNT", "/teacher"): ("teacher",),
    ("MOUNT", "/admin"): ("admin",),
}
# In front of each page: Gradio's file routes and its other doors to events (closed to all), its upload
# route (pages with a file input) and its event queue (the page's role).
for _page, _uploaders in {"/student": NOBODY, "/teacher": ("teacher",), "/admin": ("admin",)}.items():
    WHO_MAY[("POST", _page + "/gradio_api/queue/join")] = WHO_MAY[("MOUNT", _page)]
    WHO_MAY[("GET", _page + "/gradio_api/file={name:path}")] = NOBODY
    WHO_MAY[("GET", _page + "/gradio_api/file/{name:path}")] = NOBODY
    WHO_MAY[("POST", _page + "/gradio_api/process_recording")] = NOBODY
    WHO_MAY[("POST", _page + "/gradio_api/upload")] = _uploaders
    WHO_MAY[("GET", _page + "/gradio_api/call/{rest:path}")] = NOBODY
    WHO_MAY[("POST", _page + "/gradio_api/call/{rest:path}")] = NOBODY
    WHO_MAY[("POST", _page + "/gradio_api/component_server{rest:path}")] = NOBODY
BODIES = {
    "/api/login": {"username": "nobody", "password": "wrong"},
    "/api/sessions": {},
    "/api/attempts/{attempt_id}/steps": {"text": "x = 1", "client_request_id": "matrix"},
    "/api/classes/{class_id}/assignments": {"title": "T", "skill_id": "linear_equations", "problem_count": 1},
    # Refused past the role check (an empty file, a problem that is no one's): nothing is stored.
    "/api/classes/{class_id}/problem-sets": {"title": "T", "problem_ids": [999999]},
    "/api/problems": {"prompt": "P", "start": "x = 1", "answer": "x = 2", "skill_id": "linear_one_step",
                      "difficulty": 1},
    "/api/problems/import": {"text": "", "filename": "set.csv"},
    "/api/classes/{class_id}/conventions": {"log_base": "10"},  # the default: nothing changes
    "/v1/chat/completions": {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2},
    "/v1/completions": {"prompt": [1, 2], "max_tokens": 2},
    # Too short to be set: those allowed get past the role check to a 400, and no one's password changes.
    "/api/users/{user_id}/password": {"password": "short"},
}
# What a browser or Gradio client asks for under each page mount: the page, its config and its queue.
PAGE_CALLS = (
    ("GET", "/"), ("GET", "/config"), ("GET", "/gradio_api/info"), ("POST", "/gradio_api/queue/join"),
)  # fmt: skip
USER_OF_ROLE = {"student": "ada", "teacher": "tess", "admin": "root"}


def app_routes(routes, prefix: str = "") -> set[tuple[str, str]]:
    """(method, path) of every route, descending into included routers; mounts as ("MOUNT", path)."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        if hasattr(route, "original_router"):  # FastAPI's wrapper around an included router
            found |= app_routes(route.original_router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Mount):
            found.add(("MOUNT", prefix + route.path))
        elif isinstance(route, Route):
            found |= {(method, prefix + route.path) for method in route.methods or () if method != "HEAD"}
    return found


@pytest.fixture(scope="module")
def headers(world) -> dict[str, dict[str, str]]:
    by_role = {role: world.headers(user) for role, user in USER_OF_ROLE.items()}
    return {"logged out": {}, **by_role}


@pytest.fixture(scope="module")
def path_ids(world, headers) -> dict[str, int]:
    """Real ids owned by ada (the student) and tess (the teacher), so the allowed roles see them."""
    session = world.client.post("/api/sessions", headers=headers["student"], json={}).json()
    problem = world.client.post(f"/api/sessions/{session['id']}/next", headers=headers["student"]).json()
    return {"user_id": world.ids["ada"], "session_id": session["id"], "attempt_id": problem["attempt_id"],
            "class_id": world.ids["Algebra"], "job_id": 1}  # fmt: skip


@pytest.fixture(scope="module")
def empty_class_id(world) -> int:
    """Login cards for a class with no students: allowed callers get a page, and no password changes."""
    from app.services.classes import create_class

    return create_class(world.db, teacher_id=world.ids["tess"], name="Matrix (no students)").id


def test_every_route_of_the_app_is_in_the_matrix(world) -> None:
    routes = app_routes(world.client.app.routes)
    assert routes - WHO_MAY.keys() == set(), "a new route needs a line in WHO_MAY (who may call it)"
    assert WHO_MAY.keys() - routes == set(), "WHO_MAY lists a route the app no longer has"


def test_the_matrix_covers_an_app_built_with_a_broker_too(tmp_path) -> None:
    """The route set does not depend on configuration (a broker-backed app has the same routes)."""
    from app.db import Database
    from app.settings import Settings

    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 't.db'}",
                        broker_url="redis://127.0.0.1:1/0")  # fmt: skip
    db = Database(settings.resolved_database_url)
    db.upgrade()
    assert app_routes(create_app(settings, db=db).routes) == WHO_MAY.keys()
    db.dispose()


def _expect(role: str, allowed, status: int, what: str) -> None:
    # 503 is the model routes' "no model worker here" answer in this app without a model.
    assert status < 500 or status == 503, f"{what} as {role}: server error {status}"
    if allowed == ANYONE or role in allowed:
        if allowed != ANYONE:
            assert status not in (401, 403), f"{what} as {role}: refused with {status}"
    elif role == "logged out":
        assert status == 401, f"{what} logged out: expected 401, got {status}"
    else:
        assert status in (403, 404), f"{what} as {role}: expected 403, got {status}"


API_ROUTES = sorted(
    key for key in WHO_MAY if key[0] != "MOUNT" and "logout" not in key[1] and "/gradio_api/" not in key[1]
)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), API_ROUTES, ids=[f"{m} {p}" for m, p in API_ROUTES])
def test_api_route_access(
    world, headers, path_ids, empty_class_id, method: str, path: str, role: str
) -> None:
    ids = {**path_ids, "class_id": empty_class_id} if path.endswith("/login-cards") else path_ids
    url = path.format(**ids)
    response = world.client.request(method, url, headers=headers[role], json=BODIES.get(path),
                                    follow_redirects=False)  # fmt: skip
    _expect(role, WHO_MAY[(method, path)], response.status_code, f"{method} {path}")


PAGE_FILE_ROUTES = sorted(key for key in WHO_MAY if "/gradio_api/" in key[1])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), PAGE_FILE_ROUTES, ids=[f"{m} {p}" for m, p in PAGE_FILE_ROUTES])
def test_page_file_route_access(world, headers, tmp_path, method: str, path: str, role: str) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("username,password\nada,not-for-you\n")
    url = path.replace("{name:path}", str(secret)).replace("{rest:path}", "/on_load")
    upload = {"files": ("roster.csv", b"username,display_name,password\n", "text/csv")}
    response = world.client.request(method, url, headers=headers[role], follow_redirects=False,
                                    files=upload if method == "POST" else None)  # fmt: skip
    _expect(role, WHO_MAY[(method, path)], response.status_code, f"{method} {path}")
    assert "not-for-you" not in response.text


GRADIO_PAGES = ("/student", "/teacher", "/admin")
PAGES = sorted(path for kind, path in WHO_MAY if kind == "MOUNT" and path in GRADIO_PAGES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_gradio_page_access(world, headers, page: str, role: str) -> None:
    for method, sub_path in PAGE_CALLS:
        response = world.client.request(method, page + sub_path, headers=headers[role], json={},
                                        follow_redirects=False)  # fmt: skip
        _expect(role, WHO_MAY[("MOUNT", page)], response.status_code, f"{method} {page}{sub_path}")


def test_a_logged_out_browser_is_sent_to_the_login_page(world) -> None:
    response = world.client.get("/teacher/", headers={"accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/teacher/"


def test_static_files_need_no_login(world) -> None:
    assert world.client.get("/static/login.css").status_code == 200


def test_the_api_docs_render_from_the_package_for_signed_in_users_only(world, headers) -> None:
    import re

    assert world.client.get("/api/docs", follow_redirects=False).status_code == 401
    assert world.client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 401
    page = world.client.get("/api/docs", headers=headers["student"])
    assert page.status_code == 200
    sources = re.findall(r"(?:src|href)='([^']+)'", page.text)
    assert sources and all(s.startswith("/") for s in sources), sources  # nothing from another host
    for source in sources:
        assert world.client.get(source, headers=headers["student"]).status_code == 200, source
    assert "<script>" not in page.text  # no inline script: the CSP can forbid them
