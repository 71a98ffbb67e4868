"""The classroom in a real Chromium: Next during a problem offers a skip, which is recorded and shown to
the teacher as "skipped"; a recent-work row opens its attempt; the practice picker fits a phone.

This file's student and class are its own, so it neither sees nor changes the other tests' work.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.db import Database
from app.services.assignments import create_assignment
from app.services.classes import create_class, enroll_student
from app.services.users import create_user, list_users
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

LONG_TITLE = "Two-step equations with fractions and negative numbers, week 12"


@pytest.fixture(scope="module")
def room(server) -> str:
    """Class "Room 7" with one student, sam, and a three-problem assignment with a long title."""
    database = Database(server.db_url)
    try:
        grace = next(u.id for u in list_users(database, role="teacher") if u.username == "grace")
        room = create_class(database, teacher_id=grace, name="Room 7").id
        sam = create_user(database, username="sam", display_name="Sam", role="student", password=PASSWORD).id
        enroll_student(database, class_id=room, student_id=sam)
        create_assignment(
            database, teacher_id=grace, class_id=room, title=LONG_TITLE, skill_id="linear_two_step",
            difficulty=1, problem_count=3, due_at=None,
        )  # fmt: skip
    finally:
        database.dispose()
    return "Room 7"


def _check_step(page: Page, text: str) -> None:
    page.get_by_label("Your next step (plain text or LaTeX)").fill(text)
    expect(page.locator("#preview")).to_contain_text("I read")
    page.get_by_role("button", name="Check step").click()


def test_next_during_a_problem_offers_a_skip_and_the_teacher_sees_it(
    room, new_page, sign_in, screenshot
) -> None:
    page = new_page()
    sign_in(page, "sam")
    expect(page).to_have_url(re.compile(r"/student/$"))
    expect(page.get_by_role("combobox", name="What to practise")).to_have_value(re.compile("^Assignment"))
    page.get_by_role("button", name="Next problem").click()
    counter = page.locator("#assignment-counter")
    expect(counter).to_contain_text("problem 1 of 3")
    _check_step(page, "x = 12345")  # a wrong step, for the teacher's drill-down
    expect(page.locator("#steps")).to_contain_text("12345")

    offer = page.locator("#skip-offer")
    expect(offer).to_be_hidden()
    page.get_by_role("button", name="Next problem").click()  # mid-problem: not silently the same problem
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("haven't finished this problem")
    expect(offer).to_contain_text("counts as not solved")
    screenshot(page, "30-student-skip-offer")
    page.get_by_role("button", name="Keep working").click()
    expect(offer).to_be_hidden()
    expect(page.locator("#steps")).to_contain_text("12345")  # still the same problem, work kept

    page.get_by_role("button", name="Next problem").click()
    page.get_by_role("button", name="Skip this problem").click()
    expect(page.locator("#feedback")).to_contain_text("Skipped")
    expect(counter).to_contain_text("problem 2 of 3")  # the skip counts as finished, not solved
    expect(offer).to_be_hidden()
    expect(page.locator("#steps")).not_to_contain_text("12345")
    screenshot(page, "31-student-after-skip")

    page.get_by_role("tab", name="Progress").click()
    expect(page.locator("#recent-problems")).to_contain_text("skipped")
    expect(page.locator("#stats")).to_contain_text("0 solved")

    teacher = new_page()
    sign_in(teacher, "grace")
    expect(teacher).to_have_url(re.compile(r"/teacher/$"))
    teacher.get_by_role("combobox", name="Class").click()
    teacher.get_by_role("option", name=room).click()
    recent = teacher.locator("#recent-work")
    skipped_row = recent.locator("tr", has_text="skipped")
    expect(skipped_row).to_have_count(1)
    expect(recent.locator("tr", has_text="in progress")).to_have_count(1)
    screenshot(teacher, "32-teacher-recent-skipped")

    # A row opens its attempt: the Learner tab, with the student and the attempt chosen.
    skipped_row.locator("td").nth(2).click()
    drill = teacher.locator("#attempt")
    expect(drill).to_be_visible()
    expect(drill).to_contain_text("sam")
    expect(drill).to_contain_text("skipped")
    expect(drill).to_contain_text("12345")
    expect(drill).to_contain_text("not right")
    expect(teacher.get_by_role("combobox", name="Student")).to_have_value("Sam")
    expect(teacher.get_by_role("combobox", name="Attempt")).to_have_value(re.compile(r"\(skipped\)$"))
    screenshot(teacher, "33-teacher-drilldown-from-row")

    # The other row by keyboard: its link, focused and activated with Enter.
    teacher.get_by_role("tab", name="Recent work").click()
    link = recent.locator("tr", has_text="in progress").get_by_role("link")
    link.focus()
    teacher.keyboard.press("Enter")
    expect(drill).to_contain_text("in progress")
    expect(drill).to_contain_text("No steps yet")
    expect(teacher.get_by_role("combobox", name="Attempt")).to_have_value(re.compile(r"\(in progress\)$"))


def test_the_practice_picker_text_stops_before_its_caret_on_a_phone(
    room, new_page, sign_in, screenshot
) -> None:
    page = new_page(width=390, height=844)
    sign_in(page, "sam")
    picker = page.get_by_role("combobox", name="What to practise")
    expect(picker).to_have_value(re.compile(f"^Assignment: {LONG_TITLE[:20]}"))
    caret = page.locator("#practice-picker .icon-wrap")
    expect(caret).to_be_visible()
    text_right = picker.evaluate(
        "box => { const s = getComputedStyle(box); const r = box.getBoundingClientRect();"
        " return r.right - parseFloat(s.paddingRight) - parseFloat(s.borderRightWidth); }"
    )
    caret_box = caret.bounding_box()
    assert caret_box is not None
    assert text_right <= caret_box["x"], (text_right, caret_box)  # the text box ends before the caret
    assert picker.evaluate("box => getComputedStyle(box).textOverflow") == "ellipsis"
    box = picker.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    screenshot(page, "34-student-picker-phone")
