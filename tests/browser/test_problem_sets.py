"""A teacher writes one problem and imports four, sets the five as a problem set, and a student
works through it in a real Chromium: open assignment first, "2 of 5", no repeats, a completion
message; the teacher then sees the completion and score."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.db import Database
from app.models import Attempt, Problem
from app.services.classes import create_class, enroll_student
from app.services.users import create_user, list_users
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

IMPORTED = [("x + 1 = 3", "x = 2"), ("x + 2 = 5", "x = 3"), ("x - 1 = 4", "x = 5"), ("3x = 12", "x = 4")]


def _answer_of_open_problem(db_url: str, student_id: int) -> tuple[int, str]:
    database = Database(db_url)
    try:
        with database.transaction() as session:
            query = select(Attempt).where(Attempt.user_id == student_id).order_by(Attempt.id.desc()).limit(1)
            attempt = session.scalars(query).one()
            return attempt.problem_id, session.get_one(Problem, attempt.problem_id).answer
    finally:
        database.dispose()


def _teacher_sets_the_quiz(page: Page, screenshot, tmp_path) -> None:
    page.get_by_role("combobox", name="Class").click()
    page.get_by_role("option", name="Period 5").click()
    page.get_by_role("tab", name="Problems").click()
    page.get_by_label("Prompt", exact=True).fill("Solve for x.")
    page.get_by_label("Start (the first line of math)").fill("2x + 3 = 11")
    page.get_by_label("Final answer", exact=True).fill("x = 4")
    page.get_by_role("combobox", name="Skill", exact=True).click()
    page.get_by_role("option", name="Two-step equations").click()
    expect(page.locator("#problem-preview")).to_contain_text("Answer")
    page.get_by_role("button", name="Check it").click()
    expect(page.locator("#problem-check")).to_contain_text("step by step")
    page.get_by_role("button", name="Save problem").click()
    expect(page.locator("#problem-check")).to_contain_text("Saved as problem")
    screenshot(page, "20-teacher-problem-editor")

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"prompt": "Solve.", "start": "x + = 3", "answer": "x = 2", "level": 1,
                               "skill": "linear_one_step"}) + "\n", encoding="utf-8")
    upload = page.get_by_test_id("Choose a .csv or .jsonl file…-upload-button")
    upload.set_input_files(str(bad))
    expect(page.locator("#import-result")).to_contain_text("line 1")
    expect(page.locator("#import-result")).to_contain_text("Nothing was imported")
    rows = [{"prompt": "Solve.", "start": start, "answer": answer, "level": 1, "skill": "linear_one_step"}
            for start, answer in IMPORTED]
    good = tmp_path / "quiz.jsonl"
    good.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    upload.set_input_files(str(good))
    expect(page.locator("#import-result")).to_contain_text("Imported 4 problems")
    boxes = page.locator("#my-problems input[type=checkbox]")
    expect(boxes).to_have_count(5)
    for index in range(5):
        boxes.nth(index).check()
    page.locator("#set-title").get_by_role("textbox").fill("Friday quiz")
    page.get_by_role("button", name="Assign problem set").click()
    expect(page.locator("#set-result")).to_contain_text("Set “Friday quiz” for Period 5: 5 problems")
    page.get_by_role("tab", name="Assignments").click()
    expect(page.locator("#assignments")).to_contain_text("Friday quiz")
    expect(page.locator("#assignments")).to_contain_text("0 of 1 students")
    screenshot(page, "21-teacher-problem-set-assigned")


def test_a_problem_set_from_teacher_to_finished(server, new_page, sign_in, screenshot, tmp_path) -> None:
    database = Database(server.db_url)
    grace = next(u.id for u in list_users(database, role="teacher") if u.username == "grace")
    period = create_class(database, teacher_id=grace, name="Period 5").id
    kim = create_user(database, username="kim", display_name="Kim", role="student", password=PASSWORD).id
    enroll_student(database, class_id=period, student_id=kim)
    database.dispose()

    teacher = new_page()
    sign_in(teacher, "grace")
    expect(teacher).to_have_url(re.compile(r"/teacher/$"))
    _teacher_sets_the_quiz(teacher, screenshot, tmp_path)

    page = new_page()
    sign_in(page, "kim")
    expect(page).to_have_url(re.compile(r"/student/$"))
    expect(page.locator("#my-assignments")).to_contain_text("Friday quiz")
    expect(page.locator("#my-assignments")).to_contain_text("problem 1 of 5")
    picker = page.get_by_role("combobox", name="What to practise")
    expect(picker).to_have_value(re.compile("^Assignment: Friday quiz"))
    screenshot(page, "22-student-open-assignment-first")
    served = []
    for number in range(1, 6):
        page.get_by_role("button", name="Next problem").click()
        expect(page.locator("#assignment-counter")).to_contain_text(f"problem {number} of 5")
        problem_id, answer = _answer_of_open_problem(server.db_url, kim)
        served.append(problem_id)
        if number == 2:
            screenshot(page, "23-student-2-of-5")
        page.get_by_label("Your next step (plain text or LaTeX)").fill(answer)
        page.get_by_role("button", name="Check step").click()
        expect(page.locator("#feedback")).to_contain_text("Solved")
    assert len(set(served)) == 5  # never the same problem twice
    page.get_by_role("button", name="Next problem").click()
    expect(page.locator("#problem")).to_contain_text("You finished “Friday quiz”: 5 of 5 solved")
    expect(page.locator("#my-assignments")).to_contain_text("done, 5 of 5 solved")
    screenshot(page, "24-student-assignment-complete")

    teacher.reload()
    teacher.get_by_role("combobox", name="Class").click()
    teacher.get_by_role("option", name="Period 5").click()
    teacher.get_by_role("tab", name="Assignments").click()
    expect(teacher.locator("#assignments")).to_contain_text("1 of 1 students")
    expect(teacher.locator("#assignments")).to_contain_text("100%")
    screenshot(teacher, "25-teacher-assignment-completion")
