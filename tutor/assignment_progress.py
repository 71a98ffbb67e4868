"""How far a learner is through an assignment: the "2 of 5" counter and the finish line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AssignmentProgress:
    """``finished`` problems (solved, given up or skipped) of ``total``; ``solved`` of them solved."""

    total: int
    finished: int
    solved: int

    def __post_init__(self) -> None:
        if not 0 <= self.solved <= self.finished or self.total < 1:
            raise ValueError(f"impossible progress: {self.solved} solved, {self.finished} finished, "
                             f"{self.total} in all")

    @property
    def complete(self) -> bool:
        return self.finished >= self.total

    @property
    def counter(self) -> str:
        """The problem being worked, as the learner reads it: "2 of 5" (or "5 of 5 done")."""
        if self.complete:
            return f"{self.total} of {self.total} done"
        return f"{self.finished + 1} of {self.total}"

    @property
    def score(self) -> float:
        """The share of the assignment's problems solved, 0 to 1."""
        return min(self.solved, self.total) / self.total

    def completion_message(self, title: str) -> str:
        return (f"You finished “{title}”: {min(self.solved, self.total)} of {self.total} solved. "
                "Well done! Choose another assignment or practise on your own.")
