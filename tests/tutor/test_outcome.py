"""step_outcome: one call from a new line to its verdict, progress, solved flag and diagnosis."""

from __future__ import annotations

import pytest

from tutor import checking
from tutor.outcome import IDENTITY, REPEAT, reply_line, step_outcome
from tutor.problems import SKILLS, generate_problem
from tutor.problems.problem import Problem
from tutor.solver import solve

SOLVE = Problem("linear_one_step", 1, 0, "solve", "Solve for x.", "2x = 6", "2x = 6", "x = 3")
TWO_STEP = Problem("linear_two_step", 2, 0, "solve", "Solve for x.", "2x + 3 = 7", "2x + 3 = 7", "x = 2")


@pytest.mark.parametrize("line", ["0 = 0", "1 = 1", "x = x", "2(x + 1) = 2x + 2"])
def test_an_identity_is_acknowledged_but_is_not_progress_and_not_the_new_state(line: str) -> None:
    outcome = step_outcome(SOLVE, ("2x = 6",), line)
    assert outcome.message == IDENTITY
    assert (outcome.progress, outcome.accepted, outcome.solved, outcome.evidence) == (
        "no_work", False, False, None,
    )


@pytest.mark.parametrize(("earlier", "line"), [
    (("2x + 3 = 7",), "2x + 3 = 7"),  # the problem pasted back
    (("2x + 3 = 7",), "7 = 2x + 3"),  # the same line, sides swapped
    (("2x + 3 = 7", "2x = 4"), "2x + 3 = 7"),  # back to an earlier line
    (("2x + 3 = 7", "2x = 4"), "2x = 4"),  # the current line again
])  # fmt: skip
def test_a_repeat_is_acknowledged_without_mastery_evidence(earlier: tuple[str, ...], line: str) -> None:
    outcome = step_outcome(TWO_STEP, earlier, line)
    assert outcome.status == "equivalent" and outcome.message == REPEAT
    assert outcome.progress == "no_work" and outcome.evidence is None and not outcome.solved


def test_a_real_step_is_progress_and_the_final_answer_solves() -> None:
    step = step_outcome(TWO_STEP, ("2x + 3 = 7",), "2x = 4")
    assert (step.status, step.progress, step.accepted, step.solved) == ("equivalent", "advanced", True, False)
    assert step.evidence == "step_correct"
    final = step_outcome(TWO_STEP, ("2x + 3 = 7", "2x = 4"), "x = 2")
    assert final.solved and final.evidence == "step_correct"


def test_a_step_that_widens_the_solutions_says_so_and_is_not_progress() -> None:
    outcome = step_outcome(SOLVE, ("2x = 6",), "4x^2 = 36")
    assert outcome.status == "implied" and "new ones appeared" in outcome.message
    assert outcome.progress == "widened" and outcome.evidence is None and not outcome.solved


def test_a_wrong_step_carries_its_diagnosis_and_counts_as_a_mistake() -> None:
    outcome = step_outcome(TWO_STEP, ("2x + 3 = 7",), "2x = 10")
    assert outcome.status == "invalid" and not outcome.accepted
    assert outcome.diagnosis == outcome.message and outcome.evidence == "step_wrong"


def test_unreadable_math_is_an_outcome_not_an_error() -> None:
    outcome = step_outcome(SOLVE, ("2x = 6",), "2x +")
    assert outcome.status == "unparsable" and outcome.evidence is None and "missing" in outcome.message


def test_the_whole_outcome_runs_once_in_a_checking_process() -> None:
    outcome = checking.run(step_outcome, TWO_STEP, ("2x + 3 = 7", "2x = 4"), "x = 2", key="learner")
    assert outcome.solved


def test_a_huge_identity_is_no_work_and_never_expanded() -> None:
    outcome = checking.run(step_outcome, TWO_STEP, ("2x + 3 = 7",), "(x^2+x+1)^999 = (x^2+x+1)^999")
    assert outcome.progress == "no_work" and not outcome.accepted


@pytest.mark.parametrize(("state", "math", "expected"), [
    ("2x + 3 = 7", "2x = 4", ("verified", True)),
    ("2x + 3 = 7", "2x = 5", ("flagged", False)),
    ("2x + 3 = 7", "11 - 3 = 8", ("verified", False)),
    ("2x + 3 = 7", "2x + = 4", ("prose", False)),  # not math after all
])  # fmt: skip
def test_a_line_of_a_model_reply_is_checked_against_the_state(state, math, expected) -> None:
    assert checking.run(reply_line, state, math) == expected


@pytest.mark.parametrize("skill", sorted(SKILLS))
def test_every_line_of_the_solvers_own_solution_is_progress_and_the_last_solves(skill: str) -> None:
    # Lines are compared as typed: "11 * 1 - 5" then "6" is work, though both parse to the same number.
    for seed in range(2):
        problem = generate_problem(skill, 2, seed)
        earlier: tuple[str, ...] = (problem.start,)
        for step in solve(problem):
            outcome = step_outcome(problem, earlier, step.after)
            assert (outcome.accepted, outcome.progress) == (True, "advanced"), (problem.start, step.after)
            earlier = (*earlier, step.after)
        assert outcome.solved, problem.start


# Problems with no start (word problems): only the final answer is known.
EGGS = Problem("order_of_operations", 1, 0, "evaluate", "Janet's ducks...", "", "", "18")
NUMBER = Problem("linear_two_step", 2, 0, "solve", "A number plus 2 is 5. Find it.", "", "", "x = 3")
NAME = Problem("fractions", 2, 0, "evaluate", "Who is fastest?", "", "", r"\text{Evelyn}")


@pytest.mark.parametrize(("problem", "earlier", "line", "expected"), [
    (EGGS, ("",), "18", ("equivalent", True, "advanced", True)),
    (EGGS, ("",), "16 - 3 - 4 = 9", ("equivalent", True, "advanced", False)),  # arithmetic, checked alone
    (EGGS, ("", "16 - 3 - 4 = 9"), "9 * 2 = 18", ("equivalent", True, "advanced", False)),
    (EGGS, ("",), "16 - 3 - 4 = 8", ("invalid", False, "none", False)),
    (EGGS, ("",), "17", ("invalid", False, "none", False)),  # a number on its own: a wrong answer
    (EGGS, ("",), "16 - 3 - 4", ("unverifiable", True, "unchecked", False)),  # the learner's own setup
    (EGGS, ("", "16 - 3 - 4"), "9", ("equivalent", True, "advanced", False)),  # checked against it
    (EGGS, ("", "16 - 3 - 4"), "8", ("invalid", False, "none", False)),
    (EGGS, ("",), "9 * 2", ("equivalent", True, "advanced", False)),  # the value, not yet worked out
    (EGGS, ("",), "16 - = 3", ("unparsable", False, "none", False)),
    (NUMBER, ("",), "x + 2 = 5", ("equivalent", True, "advanced", False)),  # the answer's solutions
    (NUMBER, ("",), "y + 2 = 6", ("unverifiable", True, "unchecked", False)),  # nothing to check it against
    (NUMBER, ("", "y + 2 = 6"), "y = 5", ("invalid", False, "none", False)),
    (NUMBER, ("", "x + 2 = 5"), "x + 2 = 5", ("equivalent", True, "no_work", False)),  # a repeat
    (NUMBER, ("", "x + 2 = 5"), "x = 3", ("equivalent", True, "advanced", True)),
    (NAME, ("",), "Evelyn", ("equivalent", True, "advanced", True)),
    (NAME, ("",), "Bob", ("invalid", False, "none", False)),
])  # fmt: skip
def test_a_problem_with_no_start_checks_the_answer_and_the_learners_own_lines(
    problem, earlier, line, expected
) -> None:
    outcome = checking.run(step_outcome, problem, earlier, line)
    assert (outcome.status, outcome.accepted, outcome.progress, outcome.solved) == expected
    wrong = "step_wrong" if expected[0] == "invalid" else None
    assert outcome.evidence == ("step_correct" if outcome.progress == "advanced" else wrong)


@pytest.mark.parametrize(("math", "expected"), [
    ("16 - 3 - 4 = 9", ("verified", False)), ("16 - 3 - 4 = 8", ("flagged", False)),
    ("x + 2 = 5", ("unchecked", False)),  # no start, no line yet: nothing to check it against
])  # fmt: skip
def test_a_model_line_before_a_start_less_problems_first_line(math, expected) -> None:
    assert checking.run(reply_line, "", math) == expected
