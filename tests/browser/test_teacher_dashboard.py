"""The teacher's dashboard follows the class without a reload, in the school's time zone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.db import Database
from app.services.classes import create_class, enroll_student
from app.services.curriculum import next_problem
from app.services.tutoring import start_session
from app.services.users import create_user, list_users
from tests.browser.conftest import PASSWORD


def test_new_work_appears_on_an_open_dashboard(server, new_page, sign_in, screenshot) -> None:
    database = Database(server.db_url)
    grace = next(u.id for u in list_users(database, role="teacher") if u.username == "grace")
    class_id = create_class(database, teacher_id=grace, name="Live class").id
    lin = create_user(database, username="lin", display_name="Lin", role="student", password=PASSWORD).id
    enroll_student(database, class_id=class_id, student_id=lin)
    page = new_page()
    sign_in(page, "grace")
    expect(page).to_have_url(re.compile(r"/teacher/$"))
    page.get_by_role("combobox", name="Class").click()
    page.get_by_role("option", name="Live class").click()
    recent = page.locator("#recent-work")
    expect(recent).to_contain_text("No work yet")
    session = start_session(database, user_id=lin)  # lin starts a problem while the page is open
    next_problem(database, session_id=session.id, user_id=lin, skill_id="linear_one_step", seed=1)
    database.dispose()
    expect(recent).to_contain_text("lin", timeout=30_000)  # no reload: the page fetched it
    expect(recent).to_contain_text("started (Europe/Berlin)")
    expect(page.locator("#refreshed")).to_contain_text("Europe/Berlin")
    screenshot(page, "teacher-dashboard-live")
