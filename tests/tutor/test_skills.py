"""A skill is one declaration: generator, solver move, hint goal and learner parameters, read by all."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest
import sympy

from tutor.hints import hint_for
from tutor.learner import LearnerState, params_for
from tutor.moves.reading import StateError
from tutor.outcome import step_outcome
from tutor.problems import SKILLS, generate_problem, register
from tutor.problems.problem import KINDS, BKTParams, Draft, ProblemError, Skill
from tutor.solver import is_final, next_step, solve

# --- A whole new skill, declared the way a family module declares one --------------------------------


def double_negatives(rng: random.Random, difficulty: int) -> Draft:
    """-(-n), with larger numbers at higher difficulty."""
    n = rng.randint(2, 5 + 5 * difficulty)
    return Draft("simplify", f"Simplify: -(-{n})", f"-(-{n})", f"-(-{n})", str(n), "simplified")


def cancel_signs(text: str, state: sympy.Basic) -> tuple[str, str, str] | None:
    """The skill's own solver move: one rewrite, then a bare number is the final answer."""
    if re.fullmatch(r"\d+", text):
        return None
    if match := re.fullmatch(r"-\(-(\d+)\)", text.replace(" ", "")):
        return match[1], "cancel the two minus signs", "Minus a negative number is that positive number."
    raise StateError(f"{text!r} is not a double negative")


DOUBLE_NEGATIVES = Skill(
    "double_negatives", "Double negatives", "Minus a negative number is a positive one.",
    prerequisites=("order_of_operations",),
    generator=double_negatives, move=cancel_signs, goal="Aim for a number with no minus signs left.",
    bkt=BKTParams(p_init=0.5, p_guess=0.3),
)  # fmt: skip


@pytest.fixture
def registered() -> Iterator[Skill]:
    """The new skill in the registry for one test, then the registry as it was."""
    before = dict(SKILLS)
    try:
        yield register(DOUBLE_NEGATIVES)
    finally:
        SKILLS.clear()
        SKILLS.update(before)


def test_a_new_skill_is_one_declaration(registered: Skill) -> None:
    problem = generate_problem("double_negatives", 2, 7)
    assert problem == generate_problem("double_negatives", 2, 7) and problem.skill == "double_negatives"
    assert list(SKILLS)[-1] == "double_negatives"  # the hardest so far, after its prerequisite

    [step] = solve(problem)  # the solver runs the skill's own move
    assert (step.before, step.after) == (problem.start, problem.answer)
    assert step.rule == "cancel the two minus signs"
    assert is_final(problem, problem.answer) and not is_final(problem, problem.start)

    nudge, specific, reveal = (hint_for(problem, problem.start, level).text for level in (1, 2, 3))
    assert nudge == "Aim for a number with no minus signs left."
    assert "cancel the two minus signs" in specific and reveal.endswith(f"${problem.answer}$")

    assert params_for("double_negatives") == BKTParams(p_init=0.5, p_guess=0.3)
    assert LearnerState().get("double_negatives").p_mastery == 0.5  # the learner model's prior

    outcome = step_outcome(problem, (), problem.answer)  # the app's one call per line works too
    assert (outcome.status, outcome.solved) == ("equivalent", True)


def test_the_registry_is_as_it_was_after_the_new_skill() -> None:
    assert "double_negatives" not in SKILLS
    with pytest.raises(StateError, match="no solver"):
        next_step(DOUBLE_NEGATIVES.generate(1, 0), "-(-3)")


@pytest.mark.parametrize("skill", list(SKILLS.values()), ids=list(SKILLS))
def test_every_skill_declares_all_four_parts_and_each_is_used(skill: Skill) -> None:
    assert callable(skill.generator) and callable(skill.move)
    assert skill.goal.startswith("Aim ") and isinstance(skill.bkt, BKTParams)
    problem = skill.generate(1, 0)
    assert problem.kind in KINDS
    assert next_step(problem, problem.start) is not None  # the move works the generated start
    assert hint_for(problem, problem.start, 1).text == skill.goal
    assert params_for(skill.id) is skill.bkt


def test_declared_learner_parameters_differ_only_where_a_skill_says_why() -> None:
    changed = {skill.id for skill in SKILLS.values() if skill.bkt != BKTParams()}
    assert changed == {
        "fractions", "order_of_operations", "linear_one_step", "quadratic_formula", "derivatives",
    }  # fmt: skip


def test_registering_checks_the_declaration() -> None:
    with pytest.raises(ProblemError, match="declared twice"):
        register(SKILLS["fractions"])
    with pytest.raises(ProblemError, match="declared before"):
        register(Skill("later", "Later", "Comes later.", prerequisites=("not_yet",),
                       generator=double_negatives, move=cancel_signs, goal="Aim high."))
    assert "later" not in SKILLS
    with pytest.raises(ProblemError, match="goal"):
        Skill("no_goal", "No goal", "Lacks a goal.", generator=double_negatives, move=cancel_signs, goal=" ")
    with pytest.raises(TypeError):  # every part must be given: no silent default for a move
        Skill("no_move", "No move", "Lacks a move.", generator=double_negatives, goal="Aim.")  # type: ignore[call-arg]
