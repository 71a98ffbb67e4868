"""The check-latency benchmark runs end to end and reports the teacher tables' agreement (speed is
judged by the benchmark on a quiet machine, never here)."""

from __future__ import annotations

import json
from pathlib import Path

from bench import verify_speed


def test_the_benchmark_writes_its_report(tmp_path: Path) -> None:
    report = verify_speed.main(rounds=1, results=tmp_path)
    stored = json.loads((tmp_path / "verify_speed.json").read_text())
    steps, answers = stored["check_step"]["table"], stored["check_answer"]["table"]
    assert steps["rows"] >= 150 and answers["rows"] >= 300
    assert steps["false_correct"] == 0 == answers["false_correct"]
    assert report["check_step"]["n"] == len(verify_speed.step_cases())
    assert "| check_step |" in (tmp_path / "verify_speed.md").read_text()
