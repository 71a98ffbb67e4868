"""One vocabulary of step verdicts: the verifier, the outcome, the database and the pages share it."""

from __future__ import annotations

import pickle

from tutor.outcome import step_outcome
from tutor.problems import generate_problem
from tutor.verdicts import ACCEPTED, UNCHECKED, StepStatus, StepVerdict
from tutor.verify import check_step


def test_values_are_the_strings_stored_in_the_database() -> None:
    stored = ("equivalent", "implied", "invalid", "unverifiable", "unparsable")  # migrations/versions/0001
    assert tuple(StepStatus) == stored  # a member is equal to its value
    assert all(len(status) <= 16 for status in StepStatus)  # steps.verdict is a String(16)


def test_the_groups_split_the_verdicts() -> None:
    assert ACCEPTED | UNCHECKED | {StepStatus.INVALID} == set(StepStatus)
    assert not ACCEPTED & UNCHECKED and "implied" in ACCEPTED and "unparsable" in UNCHECKED


def test_verdicts_are_members_wherever_they_come_from() -> None:
    assert check_step("2x + 3 = 7", "2x = 4").status is StepStatus.EQUIVALENT
    assert StepVerdict("invalid", "Given as text.").status is StepStatus.INVALID
    problem = generate_problem("linear_two_step", 1, 0)
    assert step_outcome(problem, (), "2x = (").status is StepStatus.UNPARSABLE
    status = pickle.loads(pickle.dumps(StepStatus.IMPLIED))  # as it comes back from a checking process
    assert status is StepStatus.IMPLIED and f"{status}" == "implied"
