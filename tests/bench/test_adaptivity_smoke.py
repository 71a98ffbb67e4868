"""A small run of the adaptivity benchmark, and the pieces its verdicts rest on."""

import json

import numpy as np
import pytest

from bench import adaptivity
from tutor.learner import MASTERY_RATING, LearnerState, SkillState


def test_under_its_own_assumption_adaptive_practice_masters_more_for_the_same_work():
    result = adaptivity.compare(learners=30, seed=1)
    assert result["simulation"] == "zone 0.7"
    adaptive, worksheet = result["adaptive"], result["fixed_same_effort"]
    assert abs(worksheet["problems_mean"] - adaptive["problems_mean"]) <= len(adaptivity.SKILLS) / 2
    assert adaptive["truly_mastered"] > worksheet["truly_mastered"]
    assert adaptive["gave_up"] == 0
    assert adaptive["false_mastery"] is not None and worksheet["false_mastery"] is not None


def test_fixed_worksheet_rises_from_easy_to_hard():
    levels = adaptivity.fixed_levels(12)
    assert levels == sorted(levels) and levels[0] == 1 and levels[-1] == 5 and len(levels) == 12


def test_practice_near_the_learners_level_teaches_most():
    offset = adaptivity.best_offset(0.7)
    theta = 1000.0
    gains = [adaptivity.learning_gain(theta, theta + shift, 1.0, offset) for shift in (-600, -offset, 400)]
    assert gains[1] > 5 * max(gains[0], gains[2])
    assert adaptivity.success_probability(theta, theta - offset) == pytest.approx(0.7)


def test_the_learning_models_disagree_about_what_teaches():
    models = {s.name: s.gain for s in adaptivity.SIMULATIONS}
    assert len(models) >= 4
    theta = np.full(4, 1000.0)
    difficulty = np.array([600.0, 1000.0, 1400.0, 1000.0])
    solved, solved_before = np.array([True, False, True, True]), np.array([True, True, False, True])
    anything = models["any practice"](theta, difficulty, 1.0, solved, solved_before)
    assert len(set(anything)) == 1 and anything[0] > 0
    streaks = models["success streaks"](theta, difficulty, 1.0, solved, solved_before)
    assert list(streaks > 0) == [True, False, False, True]
    zone = models["zone 0.7"](theta, difficulty, 1.0, solved, solved_before)
    assert zone[0] < zone[3] > zone[2]


def test_false_mastery_is_judged_against_the_simulated_skill():
    mastered = LearnerState({"s": SkillState(0.99, MASTERY_RATING + 50, attempts=5, solved_in_a_row=3)})
    early, honest, unseen = adaptivity.SkillRecord(), adaptivity.SkillRecord(), adaptivity.SkillRecord()
    early.observe(MASTERY_RATING - 40, mastered, "s")
    honest.observe(MASTERY_RATING + 10, mastered, "s")
    unseen.observe(MASTERY_RATING - 40, LearnerState(), "s")
    assert (early.declared_after, early.false_mastery, early.shortfall) == (1, True, 40)
    assert (honest.declared_after, honest.false_mastery, honest.truly_after) == (1, False, 1)
    assert (unseen.declared_after, unseen.false_mastery) == (None, False)
    assert adaptivity.verdicts([[early, honest, unseen]]) == {
        "declared_share": pytest.approx(2 / 3), "false_mastery": 0.5, "false_shortfall": 40.0,
        "problems_to_declared": 1.0, "problems_to_true": 1.0,
    }


def test_script_writes_its_reports_with_every_learning_model_and_the_caveats(tmp_path):
    adaptivity.main(["--learners", "10", "--seed", "0", "--out", str(tmp_path)])
    result = json.loads((tmp_path / "adaptivity.json").read_text())
    assert result["command"] == "python bench/adaptivity.py --learners 10 --seed 0"
    names = [s["simulation"] for s in result["simulations"]]
    assert names == ["zone 0.7", "zone 0.5", "any practice", "success streaks"]
    text = (tmp_path / "adaptivity.md").read_text()
    assert result["command"] in text and "## Caveats" in text
    assert all(f"## {name}" in text for name in names)
    assert all(caveat in text for caveat in result["caveats"])
