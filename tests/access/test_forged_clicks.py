"""A recent-work row click, forged: the attempt id comes from the browser, so the server checks it.

The teacher page's row click sends ``{"attempt": id}`` as event data; a teacher who sends the id of
another teacher's student's attempt gets a refusal and nothing of that attempt.
"""

from __future__ import annotations

import pytest

from app.services import curriculum, tutoring
from app.services.classes import create_class, enroll_student
from app.services.users import create_user
from tests.access.conftest import PASSWORD
from tests.access.forged import Page


@pytest.fixture(scope="module")
def attempts(world) -> dict[str, int]:
    """An attempt by ada (in tess's class) and one by zed (in tom's class), with a step zed typed."""
    db = world.db
    curriculum.sync_skills(db)
    tom = create_user(db, username="tom", display_name="Tom", role="teacher", password=PASSWORD).id
    zed = create_user(db, username="zed", display_name="Zed", role="student", password=PASSWORD).id
    enroll_student(db, class_id=create_class(db, teacher_id=tom, name="Geometry").id, student_id=zed)
    found = {}
    for name, user_id in (("ada", world.ids["ada"]), ("zed", zed)):
        session = tutoring.start_session(db, user_id=user_id).id
        view = curriculum.next_problem(db, session_id=session, user_id=user_id, seed=4)
        found[name] = view.attempt_id
    tutoring.submit_step(db, attempt_id=found["zed"], user_id=zed, text="x = 424242",
                         client_request_id="zed-1", time_taken_ms=1000)
    return found


def _click(world, class_id: int, event_data: object):
    page = Page(world.client, "/teacher", world.headers("tess"))
    page.call(page.fn_index("on_load"), [])  # the class list is the page's, as in a browser
    page.call(page.fn_index("on_class"), [class_id])
    return page.call(page.fn_index("on_open"), [class_id], event_data)


def test_a_row_click_opens_an_attempt_of_the_teachers_own_class(world, attempts) -> None:
    opened = _click(world, world.ids["Algebra"], {"attempt": str(attempts["ada"])})
    assert opened.error is None
    tabs, student, attempt, drill = opened.completed["output"]["data"]
    assert tabs["selected"] == "learner"
    assert (student["value"], attempt["value"]) == (world.ids["ada"], attempts["ada"])
    assert drill.startswith("**ada**")


def test_a_forged_click_on_another_teachers_attempt_shows_nothing_of_it(world, attempts) -> None:
    forged = _click(world, world.ids["Algebra"], {"attempt": str(attempts["zed"])})
    assert "only see your own work" in (forged.error or "")
    assert "424242" not in forged.raw and "zed" not in forged.raw.lower()  # not the step, not the name


@pytest.mark.parametrize("event_data", [None, {}, {"attempt": "1 OR 1=1"}, {"attempt": ["1"]}, "1"])
def test_a_click_without_an_attempt_id_changes_nothing(world, attempts, event_data) -> None:
    clicked = _click(world, world.ids["Algebra"], event_data)
    assert clicked.error is None
    assert all(output == {"__type__": "update"} or output is None
               for output in clicked.completed["output"]["data"]), clicked.completed
