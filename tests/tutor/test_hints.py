"""The hint ladder climbs from a goal to an operation to the step itself, from any valid state."""

from __future__ import annotations

import pytest

from tutor.hints import HintError, hint_for
from tutor.parse import typed_latex
from tutor.problems import generate_problem
from tutor.solver import next_step


@pytest.mark.parametrize(
    ("skill_id", "current"),
    [
        ("linear_two_step", "3x + 2 = 11"),
        ("linear_both_sides", "3(x - 2) = 2x + 4"),
        ("fractions", "2/3 + 5/4"),
        ("quadratic_factoring", "x^2 + x - 6 = 0"),
        ("derivatives", "d/dx(x^3 + 2x)"),
        ("radicals", "sqrt(12) + sqrt(27)"),
    ],
)
def test_three_levels_get_more_specific(skill_id: str, current: str) -> None:
    problem = generate_problem(skill_id, 2, 0)
    step = next_step(problem, current)
    nudge, specific, reveal = (hint_for(problem, current, level) for level in (1, 2, 3))
    assert [nudge.kind, specific.kind, reveal.kind] == ["nudge", "specific", "next_step"]
    assert [nudge.level, specific.level, reveal.level] == [1, 2, 3]
    assert step.after not in nudge.text and step.after not in specific.text
    assert step.rule in specific.text
    assert reveal.text.endswith(f"${typed_latex(step.after)}$")  # typeset like the problem


def test_hint_follows_the_learner_not_the_start() -> None:
    problem = generate_problem("linear_two_step", 1, 0)
    assert hint_for(problem, "3x = 9", 3).text == "Divide both sides by 3: $x = 3$"


def test_hint_at_the_final_answer_says_so() -> None:
    assert "final answer" in hint_for(generate_problem("linear_one_step", 1, 0), "x = 2", 2).text


@pytest.mark.parametrize("level", [0, 4, "2"])
def test_unknown_level_is_refused(level: object) -> None:
    with pytest.raises(HintError, match="1, 2 or 3"):
        hint_for(generate_problem("fractions", 1, 0), "1/5 + 2/5", level)


def test_only_the_next_step_is_the_last_rung() -> None:
    problem = generate_problem("linear_two_step", 1, 0)
    assert [hint_for(problem, "3x = 9", level).last for level in (1, 2, 3)] == [False, False, True]
