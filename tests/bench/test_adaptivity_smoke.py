"""A small run of the adaptivity benchmark: the adaptive policy must beat the fixed worksheet."""

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "adaptivity.py"


@pytest.fixture(scope="module")
def adaptivity():
    spec = importlib.util.spec_from_file_location("adaptivity", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_adaptive_needs_fewer_problems_for_the_same_mastery(adaptivity):
    result = adaptivity.compare(learners=30, seed=1)
    matched = result["fixed_matched"]
    assert matched is not None
    assert matched["truly_mastered"] >= result["adaptive"]["truly_mastered"]
    assert result["saving"] >= 0.25
    assert result["adaptive"]["gave_up"] == 0


def test_fixed_worksheet_rises_from_easy_to_hard(adaptivity):
    levels = adaptivity.fixed_levels(12)
    assert levels == sorted(levels) and levels[0] == 1 and levels[-1] == 5 and len(levels) == 12


def test_practice_near_the_learners_level_teaches_most(adaptivity):
    offset = adaptivity.best_offset(0.7)
    theta = 1000.0
    gains = [adaptivity.learning_gain(theta, theta + shift, 1.0, offset) for shift in (-600, -offset, 400)]
    assert gains[1] > 5 * max(gains[0], gains[2])
    assert adaptivity.success_probability(theta, theta - offset) == pytest.approx(0.7)


def test_script_writes_its_reports(adaptivity, tmp_path):
    adaptivity.main(["--learners", "10", "--seed", "0", "--out", str(tmp_path)])
    result = json.loads((tmp_path / "adaptivity.json").read_text())
    assert result["command"] == "python bench/adaptivity.py --learners 10 --seed 0"
    assert result["sensitivity"]["peak_success"] == 0.5
    assert result["command"] in (tmp_path / "adaptivity.md").read_text()
