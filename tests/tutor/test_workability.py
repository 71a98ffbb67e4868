"""What the tutor tells a teacher it can do with the problem they wrote."""

from __future__ import annotations

import pytest

from tutor.problems.problem import Problem
from tutor.workability import check_workable


def _problem(skill: str, start: str, answer: str, form: str = "equivalent") -> Problem:
    return Problem(skill, 2, 0, "solve" if "=" in start else "simplify", "Work it.", "", start, answer, form)


@pytest.mark.parametrize(("problem", "follows", "stepwise"), [
    (_problem("linear_two_step", "2x + 3 = 11", "x = 4", "solved:x"), True, True),
    (_problem("fractions", "3/6", "1/2", "simplified"), True, True),
    (_problem("linear_two_step", "x^3 + x = 2", "x = 1"), True, False),  # checked, but no solver moves
    (_problem("linear_two_step", "2x + 3 = 11", "x = 5"), False, False),
])
def test_the_check_says_whether_the_answer_follows_and_the_solver_can_work_it(
    problem: Problem, follows: bool, stepwise: bool
) -> None:
    workable = check_workable(problem)
    assert (workable.answer_follows, workable.stepwise) == (follows, stepwise)
    if follows and not stepwise:
        assert "no step hints" in workable.message


@pytest.mark.parametrize(("answer", "form", "follows"), [
    ("18", "equivalent", True),
    (r"\text{Evelyn}", "equivalent", True),  # compared as text
    (r"1\frac{4}{5}", "equivalent", True),  # a mixed number is accepted as it is written
    ("x + = 2", "equivalent", False),  # unreadable
    ("1/3", "decimal:2", False),  # the answer fails its own form: no learner could finish
])  # fmt: skip
def test_a_problem_with_no_start_is_checked_by_its_answer(answer: str, form: str, follows: bool) -> None:
    workable = check_workable(_problem("fractions", "", answer, form))
    assert (workable.answer_follows, workable.stepwise) == (follows, False)
    if follows:
        assert "no start" in workable.message and "no step hints" in workable.message
