"""The issue's scenario in a real Chromium: a student works a two-step equation (one wrong step, a
hint), solves it and sees mastery rise; the teacher sees the attempt; an admin grades a batch.

The tests run in order and share one server: the teacher's test looks at the student's attempt.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.db import Database
from app.models import Attempt, Problem, User
from app.services.tutoring import tutor_problem
from tutor.solver import solve

pytestmark = pytest.mark.browser


def solver_steps(db_url: str, username: str) -> list[str]:
    """The solver's steps for the student's newest attempt: what a good student writes.

    Other tests share the server, so the newest attempt overall may be another student's.
    """
    db = Database(db_url)
    try:
        with db.transaction() as session:
            newest = (
                select(Attempt)
                .join(User, User.id == Attempt.user_id)
                .where(User.username == username)
                .order_by(Attempt.id.desc())
                .limit(1)
            )
            attempt = session.scalars(newest).one()
            problem = tutor_problem(session.get_one(Problem, attempt.problem_id))
    finally:
        db.dispose()
    return [step.after for step in solve(problem)]


def wrong_version(step: str) -> str:
    """The same equation with its right side off by one: a typical slip."""
    left, right = step.split("=")
    return f"{left.strip()} = {right.strip()} + 1"


def mastery_shown(page: Page, skill: str, solved: int) -> float:
    """The mastery percentage the Progress tab shows for ``skill``, once it shows ``solved`` problems."""
    page.get_by_role("tab", name="Progress").click()
    expect(page.locator("#stats")).to_contain_text(f"{solved} solved")  # the refreshed numbers
    row = page.locator("#mastery tr", has_text=re.compile(skill, re.IGNORECASE))
    expect(row).to_be_visible()
    percent = re.search(r"(\d+)%", row.inner_text())
    assert percent, row.inner_text()
    page.get_by_role("tab", name="Practice").click()
    return int(percent.group(1)) / 100


def check_step(page: Page, text: str) -> None:
    box = page.get_by_label("Your next step (plain text or LaTeX)")
    box.fill(text)
    expect(page.locator("#preview")).to_contain_text("I read")
    page.get_by_role("button", name="Check step").click()


def test_a_wrong_password_is_refused_on_the_login_page(server, new_page, sign_in, screenshot) -> None:
    page = new_page(width=390, height=700)
    page.goto("/student/")
    expect(page).to_have_url(re.compile(r"/login\?next=/student/"))
    sign_in(page, "ada", "not-my-password")
    expect(page.get_by_role("alert")).to_have_text("wrong username or password")
    screenshot(page, "00-login-refused")


def test_student_solves_a_two_step_equation(server, new_page, sign_in, screenshot) -> None:
    page = new_page()
    sign_in(page, "ada")
    expect(page).to_have_url(re.compile(r"/student/$"))
    expect(page.locator(".ft-user")).to_contain_text("Ada")
    page.get_by_role("combobox", name="What to practise").click()
    page.get_by_role("option", name=re.compile("^Assignment: Two-step equations")).click()
    page.get_by_role("button", name="Next problem").click()
    expect(page.locator("#problem")).to_contain_text("Two-step equations · level 1")
    steps = solver_steps(server.db_url, "ada")
    assert len(steps) >= 2, steps
    screenshot(page, "01-student-problem")

    check_step(page, wrong_version(steps[0]))
    expect(page.locator("#feedback")).to_contain_text("Not quite")
    expect(page.locator("#steps")).to_contain_text("not right")
    screenshot(page, "02-student-wrong-step")

    page.get_by_role("button", name="Explain my last step").click()
    chat = page.locator("#tutor-chat")
    expect(chat).to_contain_text("lost the solution")  # the checker's explanation of the wrong step
    expect(chat).to_contain_text("The AI tutor isn't switched on")  # in a student's words
    expect(chat).not_to_contain_text("FLASHTUTOR_MODEL_PATH")  # settings are for admins
    page.get_by_label("Your question").fill("What should I do first?")
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(chat).to_contain_text("Meanwhile, a hint")
    expect(chat).to_contain_text("What should I do first?")
    expect(chat).to_contain_text("lost the solution")  # the server kept the conversation so far
    screenshot(page, "02b-student-tutor-chat")
    before = mastery_shown(page, "two.step", solved=0)

    page.get_by_role("button", name="Hint").click()
    expect(page.locator("#hints")).to_contain_text("Hint 1")
    screenshot(page, "03-student-hint")

    for step in steps[:-1]:
        check_step(page, step)
        expect(page.locator("#feedback")).to_contain_text("Good step")
    check_step(page, steps[-1])
    expect(page.locator("#feedback")).to_contain_text("Solved")
    screenshot(page, "04-student-solved")

    after = mastery_shown(page, "two.step", solved=1)
    assert after > before, (before, after)
    page.get_by_role("tab", name="Progress").click()
    screenshot(page, "05-student-progress")


def test_student_page_fits_a_phone(server, new_page, sign_in, screenshot) -> None:
    page = new_page(width=390, height=844)
    sign_in(page, "ada")
    expect(page.get_by_role("button", name="Next problem")).to_be_visible()
    page.get_by_role("button", name="Next problem").click()
    expect(page.locator("#problem")).to_contain_text("level")
    screenshot(page, "06-student-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_student_practises_a_skill_they_choose(server, new_page, sign_in, screenshot) -> None:
    page = new_page()
    sign_in(page, "ada")
    page.get_by_role("combobox", name="What to practise").click()
    page.get_by_role("option", name="Skill: Quadratic formula").click()
    page.get_by_role("button", name="Next problem").click()
    expect(page.locator("#problem")).to_contain_text("Quadratic formula · level")
    screenshot(page, "06b-student-chosen-skill")


def test_teacher_sees_the_attempt(server, new_page, sign_in, screenshot, tmp_path) -> None:
    page = new_page()
    sign_in(page, "grace")
    expect(page).to_have_url(re.compile(r"/teacher/$"))
    recent = page.locator("#recent-work")
    expect(recent).to_contain_text("ada")
    expect(recent).to_contain_text("solved")
    screenshot(page, "07-teacher-recent")

    page.get_by_role("tab", name="Learner").click()
    page.get_by_role("combobox", name="Student").click()
    page.get_by_role("option", name="Ada").click()
    page.get_by_role("combobox", name="Attempt").click()
    page.get_by_role("option", name=re.compile("solved")).first.click()
    drill = page.locator("#attempt")
    expect(drill).to_contain_text("not right")
    expect(drill).to_contain_text("solved")
    expect(drill).to_contain_text("Hints given")
    screenshot(page, "08-teacher-drilldown")

    page.get_by_role("tab", name="Assignments").click()
    page.get_by_label("Title").fill("Factoring practice")
    page.get_by_role("combobox", name="Skill").click()
    page.get_by_role("option", name="Factoring polynomials").click()
    page.get_by_label("Due date (YYYY-MM-DD, optional)").fill("2030-01-31")
    page.get_by_role("button", name="Create assignment").click()
    expect(page.locator("#assignments")).to_contain_text("Factoring practice")
    expect(page.locator("#assignments")).to_contain_text("2030-01-31")

    page.get_by_role("tab", name="Common errors").click()
    expect(page.locator("#common-errors")).to_contain_text("lost the solution")

    page.get_by_role("tab", name="Roster & gradebook").click()
    roster = tmp_path / "roster.csv"
    roster.write_text("username,display_name,password\nbea,Bea Smith,\n", encoding="utf-8")
    page.get_by_test_id("Load a CSV file…-upload-button").set_input_files(str(roster))
    expect(page.get_by_label(re.compile("Roster CSV"))).to_have_value(re.compile("bea,Bea Smith"))
    page.get_by_role("button", name="Import roster").click()
    invitations = page.locator("#invitations")
    expect(invitations).to_contain_text("1 new")
    expect(invitations).to_contain_text("bea")
    screenshot(page, "09b-teacher-roster")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download gradebook (CSV)").click()
    gradebook = Path(download.value.path()).read_text()
    assert gradebook.startswith("username,") and "\nada," in gradebook

    page.get_by_role("tab", name="Mastery").click()
    expect(page.locator("#heatmap")).to_contain_text("Ada")
    expect(page.locator("#timeline canvas, #timeline svg").first).to_be_visible()
    screenshot(page, "09-teacher-mastery")


def test_student_cannot_open_the_teacher_page(server, new_page, sign_in) -> None:
    page = new_page()
    sign_in(page, "ada")
    response = page.goto("/teacher/")
    assert response is not None and response.status == 403


def test_sign_out_is_a_button_that_ends_the_session(server, new_page, sign_in) -> None:
    page = new_page()
    sign_in(page, "ada")
    expect(page.locator(".ft-user")).to_contain_text("Ada")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto("/student/")
    expect(page).to_have_url(re.compile(r"/login\?next=/student/"))


def test_admin_grades_a_batch(server, new_page, sign_in, screenshot, tmp_path) -> None:
    batch = tmp_path / "answers.csv"
    batch.write_text(
        "learner,problem,answer,expected\n"
        "ada,Solve 2x + 3 = 11,x = 4,4\n"
        "bob,Solve 2x + 3 = 11,x = 5,4\n"
        "cy,Expand (x+1)^2,x^2 + 2x + 1,x^2+2x+1\n"
    )
    page = new_page()
    sign_in(page, "root")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.locator("input[type=file]").set_input_files(str(batch))
    page.get_by_role("button", name="Start").click()
    job = page.locator("#job")
    expect(job).to_contain_text("done", timeout=60_000)
    expect(job).to_contain_text("3 / 3 graded")
    expect(job).to_contain_text("2 correct")
    screenshot(page, "10-admin-batch")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download results")).click()
    page.get_by_role("tab", name="Workers").click()
    expect(page.locator("#workers-note")).to_contain_text("No model worker is running")
    results = [json.loads(line) for line in Path(download.value.path()).read_text().splitlines()]
    assert [row["correct"] for row in results] == [True, False, True]
