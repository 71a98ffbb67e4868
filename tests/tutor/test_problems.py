"""Generators: registry shape, determinism, difficulty that matters, clean answers, clear errors."""

from __future__ import annotations

import re

import pytest

from tutor.parse import parse_math
from tutor.problems import SKILLS, Problem, ProblemError, generate_problem
from tutor.problems.problem import KINDS

EXPECTED_SKILLS = [
    "fractions",
    "order_of_operations",
    "linear_one_step",
    "linear_two_step",
    "linear_both_sides",
    "linear_inequalities",
    "linear_systems",
    "exponent_rules",
    "expand_polynomials",
    "factor_polynomials",
    "quadratic_factoring",
    "quadratic_formula",
    "radicals",
    "rational_expressions",
    "derivatives",
]


def test_registry_lists_every_skill_easy_to_hard_with_known_prerequisites() -> None:
    assert list(SKILLS) == EXPECTED_SKILLS
    for index, skill in enumerate(SKILLS.values()):
        assert skill.name and skill.description
        assert all(EXPECTED_SKILLS.index(p) < index for p in skill.prerequisites), skill.id


@pytest.mark.parametrize("skill_id", EXPECTED_SKILLS)
def test_same_seed_same_problem_and_seeds_vary(skill_id: str) -> None:
    for difficulty in range(1, 6):
        first = generate_problem(skill_id, difficulty, 7)
        assert first == generate_problem(skill_id, difficulty, 7)
        assert isinstance(first, Problem) and first.kind in KINDS
        assert (first.skill, first.difficulty, first.seed) == (skill_id, difficulty, 7)
        assert len({generate_problem(skill_id, difficulty, seed).start for seed in range(20)}) >= 3


@pytest.mark.parametrize("skill_id", EXPECTED_SKILLS)
def test_start_and_answer_parse_and_latex_is_filled(skill_id: str) -> None:
    for difficulty in range(1, 6):
        problem = generate_problem(skill_id, difficulty, 3)
        parse_math(problem.start)
        parse_math(problem.answer)
        assert problem.latex and problem.start in problem.prompt


def _size(problem: Problem) -> int:
    """How much work a problem takes: the length of question and answer plus the size of their numbers."""
    text = problem.start + problem.answer
    return len(text) + sum(int(n) for n in re.findall(r"\d+", text))


@pytest.mark.parametrize("skill_id", EXPECTED_SKILLS)
def test_higher_difficulty_means_bigger_problems(skill_id: str) -> None:
    easy = sum(_size(generate_problem(skill_id, 1, seed)) for seed in range(30))
    hard = sum(_size(generate_problem(skill_id, 5, seed)) for seed in range(30))
    assert hard > easy


@pytest.mark.parametrize(
    "skill_id",
    [
        "order_of_operations",
        "linear_one_step",
        "linear_two_step",
        "linear_both_sides",
        "linear_systems",
        "quadratic_factoring",
    ],
)
def test_answers_are_clean(skill_id: str) -> None:
    for difficulty in range(1, 6):
        for seed in range(30):
            answer = generate_problem(skill_id, difficulty, seed).answer
            assert re.fullmatch(r"(x = |y = |, | or |-?\d+(/\d)?)+", answer), answer


def test_fraction_answers_are_in_lowest_terms() -> None:
    for difficulty in range(1, 6):
        for seed in range(30):
            answer = generate_problem("fractions", difficulty, seed).answer
            value = parse_math(answer)
            assert answer.lstrip("-") in (str(abs(value.p)), f"{abs(value.p)}/{value.q}")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("algebra", 1, 0), "unknown skill"),
        (("fractions", 0, 0), "difficulty"),
        (("fractions", 6, 0), "difficulty"),
        (("fractions", 2, "abc"), "seed"),
    ],
)
def test_bad_requests_get_clear_errors(args: tuple, words: str) -> None:
    with pytest.raises(ProblemError, match=words):
        generate_problem(*args)
