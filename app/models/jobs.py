"""Work done by the model: every request to it, and assessment jobs with their graded items."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAt, one_of

REQUEST_STATUSES = ("pending", "done", "failed")
JOB_STATUSES = ("queued", "running", "done", "failed", "cancelled")


class ModelRequest(CreatedAt, Base):
    """One generation: what was asked, what came back, whether the verifier agreed, and what it cost.

    For a reply to a student (``purpose`` "ask", "explain"), ``prompt`` is what the learner asked,
    ``output`` what they were shown, and ``trace`` the model's reasoning: teachers and admins read it
    in the attempt's drill-down; it is never shown to students.
    """

    __tablename__ = "model_requests"
    __table_args__ = (CheckConstraint(one_of("status", REQUEST_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))  # e.g. "explain", "hint", "assessment"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    prompt: Mapped[str] = mapped_column(Text)
    output: Mapped[str | None] = mapped_column(Text)
    verification: Mapped[str | None] = mapped_column(String(32))  # e.g. "correct", "incorrect", "no_answer"
    prompt_tokens: Mapped[int | None]
    output_tokens: Mapped[int | None]
    latency_ms: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None]
    trace: Mapped[str | None] = mapped_column(Text)  # the model's reasoning (<think>…</think>), staff only


class AssessmentJob(CreatedAt, Base):
    """A batch evaluation (e.g. the model on a problem set), resumable item by item."""

    __tablename__ = "assessment_jobs"
    __table_args__ = (CheckConstraint(one_of("status", JOB_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    total_items: Mapped[int]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class AssessmentItem(CreatedAt, Base):
    """One graded item; unique per (job, index) so a resumed job never grades an item twice."""

    __tablename__ = "assessment_items"
    __table_args__ = (UniqueConstraint("job_id", "item_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("assessment_jobs.id", ondelete="CASCADE"))
    item_index: Mapped[int]
    question: Mapped[str] = mapped_column(Text)
    expected: Mapped[str] = mapped_column(Text)
    submitted: Mapped[str | None] = mapped_column(Text)  # the answer extracted from the output
    correct: Mapped[bool | None]  # None: the check could not finish even when retried; a person reviews it
    model_request_id: Mapped[int | None] = mapped_column(ForeignKey("model_requests.id", ondelete="SET NULL"))
