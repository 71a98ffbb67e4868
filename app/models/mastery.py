"""What we believe each learner knows: the current estimate per skill and every change to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAt, utcnow


class SkillMastery(Base):
    """The learner model's state for one (learner, skill): BKT mastery and Elo ability."""

    __tablename__ = "skill_mastery"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[str] = mapped_column(ForeignKey("skills.id"), primary_key=True)
    p_mastery: Mapped[float]
    ability: Mapped[float]
    problems_finished: Mapped[int] = mapped_column(default=0)
    solved_in_a_row: Mapped[int] = mapped_column(default=0)  # latest problems solved without help or error
    updates: Mapped[int] = mapped_column(default=0)  # evidence applied; equals the history row count
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MasteryEvent(CreatedAt, Base):
    """History: one piece of evidence and the estimate right after it."""

    __tablename__ = "mastery_events"
    __table_args__ = (Index(None, "user_id", "skill_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    skill_id: Mapped[str] = mapped_column(ForeignKey("skills.id"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"))
    evidence: Mapped[str] = mapped_column(String(16))
    hint_level: Mapped[int | None]
    p_mastery: Mapped[float]
    ability: Mapped[float]
