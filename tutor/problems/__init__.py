"""Seeded problem generators, one per skill, in a registry ordered from easy to hard."""

from __future__ import annotations

from tutor.problems.arithmetic import fractions, order_of_operations
from tutor.problems.calculus import derivatives, rational_expressions
from tutor.problems.linear import (
    linear_both_sides,
    linear_inequalities,
    linear_one_step,
    linear_systems,
    linear_two_step,
)
from tutor.problems.polynomials import expand_polynomials, exponent_rules, factor_polynomials
from tutor.problems.problem import Problem, ProblemError, Skill
from tutor.problems.quadratics import quadratic_factoring, quadratic_formula
from tutor.problems.radicals import radicals

__all__ = ["SKILLS", "Problem", "ProblemError", "Skill", "generate_problem"]

_SKILL_LIST = [
    Skill("fractions", "Fraction arithmetic", "Add, subtract, multiply and divide fractions.", (), fractions),
    Skill(
        "order_of_operations",
        "Order of operations",
        "Brackets, powers, then × ÷, then + −.",
        (),
        order_of_operations,
    ),
    Skill(
        "linear_one_step",
        "One-step equations",
        "Undo one operation to find x.",
        ("order_of_operations",),
        linear_one_step,
    ),
    Skill(
        "linear_two_step",
        "Two-step equations",
        "Undo the constant, then the coefficient.",
        ("linear_one_step",),
        linear_two_step,
    ),
    Skill(
        "linear_both_sides",
        "Variables on both sides",
        "Distribute, gather x-terms, then solve.",
        ("linear_two_step",),
        linear_both_sides,
    ),
    Skill(
        "linear_inequalities",
        "Linear inequalities",
        "Solve like an equation; flip for negatives.",
        ("linear_two_step",),
        linear_inequalities,
    ),
    Skill(
        "linear_systems",
        "Systems of two linear equations",
        "Eliminate one unknown, then substitute.",
        ("linear_both_sides",),
        linear_systems,
    ),
    Skill(
        "exponent_rules",
        "Exponent rules",
        "Product, quotient and power rules for powers of x.",
        ("order_of_operations",),
        exponent_rules,
    ),
    Skill(
        "expand_polynomials",
        "Expanding polynomials",
        "Multiply out brackets and collect like terms.",
        ("exponent_rules",),
        expand_polynomials,
    ),
    Skill(
        "factor_polynomials",
        "Factoring polynomials",
        "Common factors, trinomials, difference of squares.",
        ("expand_polynomials",),
        factor_polynomials,
    ),
    Skill(
        "quadratic_factoring",
        "Quadratics by factoring",
        "Standard form, factor, zero product rule.",
        ("factor_polynomials", "linear_two_step"),
        quadratic_factoring,
    ),
    Skill(
        "quadratic_formula",
        "Quadratic formula",
        "x = (-b ± sqrt(b^2 - 4ac))/(2a).",
        ("quadratic_factoring",),
        quadratic_formula,
    ),
    Skill(
        "radicals",
        "Radicals",
        "Simplify square roots and combine like radicals.",
        ("exponent_rules",),
        radicals,
    ),
    Skill(
        "rational_expressions",
        "Rational expressions",
        "Factor, cancel, and combine algebraic fractions.",
        ("factor_polynomials", "fractions"),
        rational_expressions,
    ),
    Skill(
        "derivatives",
        "Derivatives",
        "Power, product and chain rules for polynomials.",
        ("expand_polynomials",),
        derivatives,
    ),
]
SKILLS: dict[str, Skill] = {skill.id: skill for skill in _SKILL_LIST}


def generate_problem(skill_id: str, difficulty: int, seed: int) -> Problem:
    """The problem for this skill, difficulty (1..5) and seed; the same arguments give the same problem."""
    if skill_id not in SKILLS:
        raise ProblemError(f"unknown skill {skill_id!r}; known skills: {', '.join(SKILLS)}")
    return SKILLS[skill_id].generate(difficulty, seed)
