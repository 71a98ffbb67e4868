"""Model-backed tutoring: model math is verified before it is shown, and the solver always answers."""

from __future__ import annotations

import pytest

from app.services.tutor_model import (
    FLAGGED,
    HIDDEN_NOTE,
    PROSE,
    UNCHECKED,
    VERIFIED,
    TutorModel,
    check_reply,
    render,
)
from tutor.answers import extract_answer
from tutor.hints import hint_for
from tutor.problems import generate_problem
from tutor.verify import check_answer

REPLY = """<think>Maybe 2x = 9? No.</think>First subtract 3 from both sides: $2x = 8$
That works because 11 - 3 = 8
Then divide by 2, so $x = 5$
\\(x = 4\\)
Well done!"""


def test_each_line_of_model_math_is_checked_against_the_problem_state():
    lines = check_reply(REPLY, "2x + 3 = 11")
    assert [line.status for line in lines] == [VERIFIED, PROSE, FLAGGED, VERIFIED, PROSE]
    assert all("think" not in line.text and "2x = 9" not in line.text for line in lines)


def test_bare_arithmetic_and_relations_are_checked_and_words_are_not_math():
    lines = check_reply("11 - 3 = 8\n3 + 4 = 9\nThen 3 + 4 = 9\n2x = 8", "2x + 3 = 11")
    assert [line.status for line in lines] == [VERIFIED, FLAGGED, PROSE, VERIFIED]


def test_rendering_marks_verified_math_and_hides_what_failed():
    shown = render(check_reply(REPLY, "2x + 3 = 11"))
    assert "First subtract 3 from both sides: $2x = 8$ ✓" in shown
    assert "x = 5" not in shown and HIDDEN_NOTE in shown


def test_math_the_checker_cannot_decide_is_shown_unmarked():
    (line,) = check_reply("$x^2 + 1 = 0$", "2x + 3 = 11")
    assert line.status in (FLAGGED, UNCHECKED)  # a different equation: never marked as verified


@pytest.fixture(scope="module")
def problem():
    return generate_problem("linear_two_step", 2, 7)


def test_without_a_model_every_feature_answers_from_the_solver_and_says_how_to_enable_it(problem):
    tutor = TutorModel(None)
    replies = [
        tutor.hint(problem, problem.start),
        tutor.explain_step(problem, problem.start, "x = 100"),
        tutor.ask(problem, problem.start, "Why do I subtract first?"),
        tutor.worked_solution(problem),
    ]
    assert all(r.source == "solver" and "FLASHTUTOR_MODEL_PATH" in r.notice for r in replies)
    assert replies[0].text == hint_for(problem, problem.start, 2).text
    final = replies[3].text.splitlines()[-1]
    assert check_answer(extract_answer(final), problem.answer).correct


def test_when_the_model_fails_the_solver_answers_and_the_notice_says_why(embedded, problem):
    # The tiny fixture model cannot read chat prompts (its vocabulary is 512 tokens), a real failure.
    reply = TutorModel(embedded, max_tokens=16).hint(problem, problem.start)
    assert reply.source == "solver" and reply.text == hint_for(problem, problem.start, 2).text
    assert "could not answer" in reply.notice and "vocabulary" in reply.notice
