"""In a real browser: the API docs render without internet, and printed login cards read as cards."""

from __future__ import annotations

from playwright.sync_api import expect

from app.db import Database
from app.services.classes import create_class, enroll_student
from app.services.users import create_user, list_users
from tests.browser.conftest import PASSWORD


def test_the_api_docs_render_offline(server, new_page, sign_in, screenshot) -> None:
    page = new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, "root")
    page.wait_for_url("**/admin/")
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("FlashTutor")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert all(url.startswith(server.url) for url in requested), [u for u in requested if server.url not in u]
    screenshot(page, "api-docs")


def test_a_teacher_prints_login_cards(server, new_page, sign_in, screenshot) -> None:
    database = Database(server.db_url)  # a class of its own: the other tests keep their passwords
    grace = next(u.id for u in list_users(database, role="teacher") if u.username == "grace")
    class_id = create_class(database, teacher_id=grace, name="Cards class").id
    cara = create_user(database, username="cara", display_name="Cara", role="student", password=PASSWORD).id
    enroll_student(database, class_id=class_id, student_id=cara)
    database.dispose()
    page = new_page()
    sign_in(page, "grace")
    page.wait_for_url("**/teacher/")
    cards = page.request.post(f"/api/classes/{class_id}/login-cards", headers={"Origin": server.url})
    assert cards.ok, cards.text()
    page.goto("/login")  # the page's own origin, so the card page's stylesheet resolves
    page.set_content(cards.text())
    expect(page.locator(".card")).to_have_css("border-top-style", "dashed")  # styled from static/
    expect(page.locator(".card")).to_have_count(1)
    expect(page.locator(".card h2")).to_have_text("Cara")
    screenshot(page, "login-cards")
