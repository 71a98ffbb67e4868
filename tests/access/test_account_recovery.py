"""Password resets and login cards against the live app: who may, what it shows, what it revokes."""

from __future__ import annotations

from app.services.classes import create_class, enroll_student
from app.services.users import create_user
from tests.access.conftest import PASSWORD


def _student(world, name: str, class_id: int | None) -> int:
    user_id = create_user(
        world.db, username=name, display_name=name.title(), role="student", password=PASSWORD
    ).id
    if class_id is not None:
        enroll_student(world.db, class_id=class_id, student_id=user_id)
    return user_id


def test_a_teacher_resets_her_students_password_and_the_old_login_stops_working(world) -> None:
    kim = _student(world, "kim", world.ids["Algebra"])
    kims_login = world.headers("kim")
    response = world.client.post(f"/api/users/{kim}/password", headers=world.headers("tess"), json={})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    new = response.json()["password"]
    assert response.json()["username"] == "kim" and new.count("-") == 4
    assert world.client.get("/api/me", headers=kims_login).status_code == 401
    login = world.client.post("/api/login", json={"username": "kim", "password": new})
    assert login.status_code == 200


def test_no_one_resets_a_password_that_is_not_theirs_to_reset(world) -> None:
    lee = _student(world, "lee", None)  # in no class of tess's
    for who, target in [("tess", lee), ("tess", world.ids["root"]), ("ada", lee), ("ada", world.ids["ada"])]:
        response = world.client.post(f"/api/users/{target}/password", headers=world.headers(who), json={})
        assert response.status_code == 403, (who, target, response.text)
    assert world.client.post("/api/login", json={"username": "lee", "password": PASSWORD}).status_code == 200
    assert world.client.post(f"/api/users/{lee}/password", json={}).status_code == 401  # logged out


def test_login_cards_print_new_passwords_for_the_class_and_only_its_teacher_gets_them(world) -> None:
    cards_class = create_class(world.db, teacher_id=world.ids["tess"], name="Cards").id
    _student(world, "mo", cards_class)
    page = world.client.post(f"/api/classes/{cards_class}/login-cards", headers=world.headers("tess"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "Login cards · Cards" in page.text and "<code>mo</code>" in page.text
    password = page.text.split("Password <code>")[1].split("</code>")[0]
    assert world.client.post("/api/login", json={"username": "mo", "password": password}).status_code == 200
    assert world.client.post("/api/login", json={"username": "mo", "password": PASSWORD}).status_code == 401
    refused = world.client.post(f"/api/classes/{cards_class}/login-cards", headers=world.headers("ada"))
    assert refused.status_code == 403


def test_a_card_shows_names_as_text_never_as_markup(world) -> None:
    cards_class = create_class(world.db, teacher_id=world.ids["tess"], name="<script>alert(1)</script>").id
    pupil = create_user(world.db, username="pat", display_name="<img src=x onerror=alert(1)>",
                        role="student", password=PASSWORD).id  # fmt: skip
    enroll_student(world.db, class_id=cards_class, student_id=pupil)
    page = world.client.post(f"/api/classes/{cards_class}/login-cards", headers=world.headers("tess")).text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
