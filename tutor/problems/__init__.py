"""The skill registry: every skill the tutor teaches, ordered from easy to hard.

A skill is one declaration (:class:`Skill`) in its family's module, next to its generator: the solver
(:mod:`tutor.solver`), the hint ladder (:mod:`tutor.hints`) and the learner model (:mod:`tutor.learner`)
all read it from here. To add a skill, declare it in a family module's ``SKILLS``; to add a family,
write a module that declares ``SKILLS`` and list it in ``FAMILIES``.
"""

from __future__ import annotations

from tutor.problems import arithmetic, calculus, linear, polynomials, quadratics, radicals
from tutor.problems.problem import Problem, ProblemError, Skill

__all__ = ["FAMILIES", "SKILLS", "Problem", "ProblemError", "Skill", "generate_problem", "register"]

FAMILIES = (arithmetic, linear, polynomials, quadratics, radicals, calculus)  # easy to hard
SKILLS: dict[str, Skill] = {}


def register(skill: Skill) -> Skill:
    """Add ``skill`` at the end of the registry (the hardest so far); its prerequisites come before it."""
    if skill.id in SKILLS:
        raise ProblemError(f"skill {skill.id!r} is declared twice")
    missing = [p for p in skill.prerequisites if p not in SKILLS]
    if missing:
        raise ProblemError(f"skill {skill.id!r} needs {', '.join(missing)} declared before it")
    SKILLS[skill.id] = skill
    return skill


for _family in FAMILIES:
    for _skill in _family.SKILLS:
        register(_skill)


def generate_problem(skill_id: str, difficulty: int, seed: int) -> Problem:
    """The problem for this skill, difficulty (1..5) and seed; the same arguments give the same problem."""
    if skill_id not in SKILLS:
        raise ProblemError(f"unknown skill {skill_id!r}; known skills: {', '.join(SKILLS)}")
    return SKILLS[skill_id].generate(difficulty, seed)
