"""Expected refusals are friendly notes, not errors; showing the solution is confirmed first and the
teacher sees it was shown."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.db import Database
from app.services.classes import enroll_student
from app.services.users import create_user, list_users
from app.services.web_queries import teacher_classes
from tests.browser.conftest import PASSWORD


def _student(server, name: str) -> None:
    database = Database(server.db_url)
    grace = next(u.id for u in list_users(database, role="teacher") if u.username == "grace")
    algebra = next(c.id for c in teacher_classes(database, teacher_id=grace) if c.name == "Algebra 1")
    pupil = create_user(database, username=name, display_name=name.title(), role="student", password=PASSWORD)
    enroll_student(database, class_id=algebra, student_id=pupil.id)
    database.dispose()


def test_refusals_are_notes_and_the_solution_is_confirmed_first(
    server, new_page, sign_in, screenshot
) -> None:
    _student(server, "sol")
    page = new_page()
    sign_in(page, "sol")
    expect(page).to_have_url(re.compile(r"/student/$"))
    page.get_by_role("button", name="Check step").click()  # no problem yet
    note = page.locator(".toast-body", has_text="Next problem")
    expect(note).to_be_visible()
    expect(note).to_have_class(re.compile("warning"))
    expect(page.locator(".toast-body.error")).to_have_count(0)
    page.get_by_role("button", name="Next problem").click()
    expect(page.locator("#problem")).to_contain_text("level")

    box = page.get_by_label("Your next step (plain text or LaTeX)")
    box.fill("x = 12345")
    page.get_by_role("button", name="Check step").click()
    expect(page.locator("#steps")).to_contain_text("12345")
    page.once("dialog", lambda dialog: dialog.dismiss())  # "keep working"
    page.get_by_role("button", name="Show solution").click()
    page.wait_for_timeout(1500)
    expect(page.locator("#hints")).not_to_contain_text("Worked solution")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Show solution").click()
    expect(page.locator("#hints")).to_contain_text("Worked solution")

    box.fill("x = 1")  # the problem is over: a friendly note, and the box keeps what was typed
    page.get_by_role("button", name="Check step").click()
    expect(page.locator(".toast-body", has_text="already finished")).to_have_class(re.compile("warning"))
    expect(box).to_have_value("x = 1")
    expect(page.locator(".toast-body.error")).to_have_count(0)
    screenshot(page, "student-refusal-note")

    teacher = new_page()
    sign_in(teacher, "grace")
    expect(teacher.locator("#recent-work")).to_contain_text("solution shown")
