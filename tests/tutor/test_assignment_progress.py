"""The assignment counter a learner reads, and where it ends."""

from __future__ import annotations

import pytest

from tutor.assignment_progress import AssignmentProgress


@pytest.mark.parametrize(
    ("finished", "counter", "complete"),
    [(0, "1 of 5", False), (1, "2 of 5", False), (4, "5 of 5", False), (5, "5 of 5 done", True)],
)
def test_the_counter_names_the_problem_being_worked(finished: int, counter: str, complete: bool) -> None:
    progress = AssignmentProgress(total=5, finished=finished, solved=0)
    assert (progress.counter, progress.complete) == (counter, complete)


def test_the_score_is_the_share_solved_and_the_message_says_it() -> None:
    progress = AssignmentProgress(total=4, finished=4, solved=3)
    assert progress.score == 0.75
    assert progress.completion_message("Week 1").startswith("You finished “Week 1”: 3 of 4 solved.")


@pytest.mark.parametrize(("total", "finished", "solved"), [(0, 0, 0), (5, 1, 2), (5, -1, 0)])
def test_impossible_progress_is_refused(total: int, finished: int, solved: int) -> None:
    with pytest.raises(ValueError, match="impossible progress"):
        AssignmentProgress(total, finished, solved)
