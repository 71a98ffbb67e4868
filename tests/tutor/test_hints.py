"""The hint ladder climbs from a goal to an operation to the step itself, from any valid state."""

from __future__ import annotations

import pytest

from tutor import checking
from tutor.hints import HintError, gives_away_answer, hint_for
from tutor.parse import typed_latex
from tutor.problems import Problem, generate_problem
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


EGGS = Problem("order_of_operations", 1, 0, "evaluate",
               "Janet's ducks lay 16 eggs a day; she eats 3 and bakes with 4, and sells the rest for $2.",
               "", "", "18")
CUBIC = Problem("linear_two_step", 3, 0, "solve", "Solve.", "x^3 + x = 2", "x^3 + x = 2", "x = 1")


@pytest.mark.parametrize(("problem", "maths", "prose", "gives_away"), [
    (EGGS, ["18"], "", True),
    (EGGS, ["9 \\cdot 2 = 18"], "", True),  # one side of it is the answer
    (EGGS, [], "So she makes 18 dollars.", True),  # a number the problem does not mention
    (EGGS, ["16 - 3 - 4 = 9"], "She eats 3 of the 16 eggs.", False),
    (EGGS, ["9 \\cdot 2"], "", False),  # the calculation still to do is a hint, not the answer
    (CUBIC, ["x = 1"], "", True),
    (CUBIC, ["x^3 + x - 2 = 0"], "", False),  # an equivalent equation is a step, not the answer
])  # fmt: skip
def test_a_hint_that_states_the_answer_gives_it_away(problem, maths, prose, gives_away) -> None:
    assert checking.run(gives_away_answer, problem, maths, prose) is gives_away
