"""What learners practise and what they did: skills, problems, assignments, sessions, attempts,
steps and hints."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAt, one_of
from tutor.verdicts import StepStatus

PROBLEM_SOURCES = ("generated", "authored")
ATTEMPT_STATUSES = ("in_progress", "solved", "gave_up", "skipped")
STEP_VERDICTS = tuple(status.value for status in StepStatus)  # the CHECK on steps.verdict


class Skill(Base):
    """A skill of the curriculum, mirrored from ``tutor.problems.SKILLS`` so rows can refer to it."""

    __tablename__ = "skills"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int]  # easy to hard
    prerequisites: Mapped[list[str]] = mapped_column(JSON, default=list)


class Problem(CreatedAt, Base):
    """A problem as shown. Generated ones keep (skill, difficulty, seed), which regenerates them exactly.

    ``start`` is empty for a problem with no starting line (a word problem imported from GSM8K or
    MATH-500): its final answer is checked, and the learner's lines against each other (``latex`` is
    empty too)."""

    __tablename__ = "problems"
    __table_args__ = (
        UniqueConstraint("skill_id", "difficulty", "seed"),
        CheckConstraint("difficulty BETWEEN 1 AND 5", name="difficulty"),
        CheckConstraint(one_of("source", PROBLEM_SOURCES), name="source"),
        CheckConstraint("(source = 'generated') = (seed IS NOT NULL)", name="seed_iff_generated"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    skill_id: Mapped[str] = mapped_column(ForeignKey("skills.id"), index=True)
    difficulty: Mapped[int]
    seed: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    prompt: Mapped[str] = mapped_column(Text)
    latex: Mapped[str] = mapped_column(Text)
    start: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    # The form the final answer must have, a tutor.forms spec such as "simplified" or "solved:x".
    form: Mapped[str] = mapped_column(String(64), default="equivalent", server_default="equivalent")
    # Where an imported problem came from, in its set's own words (MATH-500's "Precalculus"); None otherwise.
    subject: Mapped[str | None] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Assignment(CreatedAt, Base):
    """Work a teacher sets for a class: ``problem_count`` problems of one skill, or a problem set.

    A problem set lists its problems in ``assignment_problems``; ``skill_id`` is then its first problem's.
    """

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    skill_id: Mapped[str] = mapped_column(ForeignKey("skills.id"))
    difficulty: Mapped[int | None]  # None: chosen per learner by the learner model
    problem_count: Mapped[int]
    due_at: Mapped[datetime | None]
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


class AssignmentProblem(Base):
    """A problem of an assignment set as a problem set, in the order the learner works them."""

    __tablename__ = "assignment_problems"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)  # 1, 2, ...
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id"))


class TutoringSession(CreatedAt, Base):
    __tablename__ = "tutoring_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"))
    ended_at: Mapped[datetime | None]


class Attempt(CreatedAt, Base):
    """One learner working one problem. ``current_state`` is the start or the last accepted step."""

    __tablename__ = "attempts"
    __table_args__ = (CheckConstraint(one_of("status", ATTEMPT_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("tutoring_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    current_state: Mapped[str] = mapped_column(Text)
    step_count: Mapped[int] = mapped_column(default=0)
    hint_count: Mapped[int] = mapped_column(default=0)
    solution_revealed_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class StepRecord(CreatedAt, Base):
    """A step exactly as submitted, with the verifier's verdict. ``client_request_id`` makes retries safe."""

    __tablename__ = "steps"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position"),
        UniqueConstraint("attempt_id", "client_request_id"),
        CheckConstraint(one_of("verdict", STEP_VERDICTS), name="verdict"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    position: Mapped[int]  # 1, 2, ... within the attempt
    client_request_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(16))  # a tutor.verdicts.StepStatus value
    message: Mapped[str] = mapped_column(Text)
    accepted: Mapped[bool]  # became the new current state
    is_final_answer: Mapped[bool] = mapped_column(default=False)  # and check_answer said correct
    time_taken_ms: Mapped[int]
    hints_used: Mapped[int]  # hints asked for on this attempt before this step
    # What a wrong step got wrong, as a tutor.diagnose misconception id ("division-slip"); None when the
    # step is right or no known slip explains it. Teachers see common errors grouped by it.
    misconception: Mapped[str | None] = mapped_column(String(32))


class HintRecord(CreatedAt, Base):
    __tablename__ = "hints"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    position: Mapped[int]
    level: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
