"""Every worked solution checks step by step, and next_step works from states a learner reaches."""

from __future__ import annotations

import pytest

from tutor.answers import grade_answer
from tutor.forms import parse_form
from tutor.problems import SKILLS, Problem, generate_problem
from tutor.solver import StateError, Step, is_final, next_step, solve
from tutor.verify import check_answer, check_step

SEEDS = range(50)


@pytest.mark.slow  # 50 seeds x 5 difficulties through the sandboxed check_step: minutes on 2 cores
@pytest.mark.parametrize("skill_id", list(SKILLS))
def test_every_solution_step_is_equivalent_and_ends_at_the_answer(skill_id: str) -> None:
    for difficulty in range(1, 6):
        for seed in SEEDS:
            problem = generate_problem(skill_id, difficulty, seed)
            steps = solve(problem)
            assert steps, f"{problem.start} needs at least one step"
            assert steps[0].before == problem.start
            for step in steps:
                verdict = check_step(step.before, step.after)
                assert verdict.status == "equivalent", (problem, step, verdict.message)
            verdict = check_answer(steps[-1].after, problem.answer, form=problem.form)
            assert verdict.correct, (problem, steps[-1], verdict.message)
            assert is_final(problem, steps[-1].after)


@pytest.mark.parametrize("skill_id", list(SKILLS))
def test_the_solvers_final_line_is_in_the_form_the_problem_declares(skill_id: str) -> None:
    """Every generator declares its answer form, and its own solution ends in that form."""
    for difficulty in range(1, 6):
        for seed in range(4):
            problem = generate_problem(skill_id, difficulty, seed)
            parse_form(problem.form)
            final = solve(problem)[-1].after
            assert grade_answer(final, problem.answer, problem.form) == (True, None), (problem, final)
            assert grade_answer(problem.answer, problem.answer, problem.form) == (True, None), problem


@pytest.mark.parametrize(
    ("skill_id", "current", "expected_rule", "expected_after"),
    [
        ("linear_two_step", "3x = 9", "divide both sides by 3", "x = 3"),
        ("linear_two_step", "11 = 3x + 2", "swap the sides", "3x + 2 = 11"),
        ("linear_both_sides", "3(x - 2) = 2x + 4", "expand the brackets", "3x - 6 = 2x + 4"),
        ("linear_both_sides", "3x - 6 = 2x + 4", "subtract 2x from both sides", "x - 6 = 4"),
        ("linear_both_sides", "-6 + 3x = 4 + 2x", "subtract 2x from both sides", "x - 6 = 4"),
        ("linear_inequalities", "-2x < 4", "divide both sides by -2", "x > -2"),
        ("linear_systems", "y = 2, x + y = 5", "substitute y = 2", "y = 2, x + 2 = 5"),
        ("factor_polynomials", "2(x^2 - 4)", "factor x^2 - 4", "2(x - 2)(x + 2)"),
        ("quadratic_factoring", "(x - 2)(x + 3) = 0", "zero product rule", "x - 2 = 0 or x + 3 = 0"),
        ("quadratic_factoring", "x^2 + x = 6", "bring all terms to one side", "x^2 + x - 6 = 0"),
        ("fractions", "8/12 + 15/12", "combine the numerators", "23/12"),
        ("order_of_operations", "3 + 4 * 49", "multiply", "3 + 196"),
        ("radicals", "2sqrt(3) + sqrt(27)", "simplify the radical", "2sqrt(3) + 3sqrt(3)"),
        (
            "rational_expressions",
            "(x^2 - 9)/(x^2 + 5x + 6)",
            "cancel the common factor x + 3",
            "(x - 3)/(x + 2)",
        ),
        ("derivatives", "d/dx(x^2(x + 1)^3)", "product rule", "x(x + 1)^2(5x + 2)"),
    ],
)
def test_next_step_from_an_intermediate_state(
    skill_id: str, current: str, expected_rule: str, expected_after: str
) -> None:
    step = next_step(generate_problem(skill_id, 3, 0), current)
    assert step == Step(current, expected_after, expected_rule, step.explanation)
    assert check_step(current, step.after).status == "equivalent"


@pytest.mark.parametrize(
    ("skill_id", "final"),
    [
        ("linear_one_step", "x = 4"),
        ("quadratic_factoring", "x = -3 or x = 2"),
        ("fractions", "5/6"),
        ("linear_systems", "x = 1, y = 2"),
        ("expand_polynomials", "x^2 + 2x + 1"),
    ],
)
def test_next_step_is_none_at_a_final_answer(skill_id: str, final: str) -> None:
    problem = generate_problem(skill_id, 2, 0)
    assert next_step(problem, final) is None
    assert is_final(problem, final)


@pytest.mark.parametrize(
    ("skill_id", "current"),
    [
        ("linear_two_step", "x^2 = 4"),
        ("linear_systems", "x + y = 3"),
        ("fractions", "2/3 +"),
        ("quadratic_formula", "x^3 - 1 = 0"),
        ("order_of_operations", ""),
    ],
)
def test_states_outside_the_solver_raise_a_clear_error(skill_id: str, current: str) -> None:
    with pytest.raises(StateError):
        next_step(generate_problem(skill_id, 1, 0), current)


def test_a_state_beyond_the_skills_moves_is_a_state_error_not_a_sympy_failure() -> None:
    """A teacher's log problem filed under a linear skill: the solver says it has no move (PolynomialError
    escaped before, and the step check crashed)."""
    problem = Problem("linear_one_step", 1, 0, "solve", "Solve for x.", "log(x) = 2", "log(x) = 2", "x = 100")
    with pytest.raises(StateError, match="no move"):
        next_step(problem, "log(x) = 2")
