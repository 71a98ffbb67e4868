"""Who uses FlashTutor: users and their roles, login sessions, classes and enrollments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAt, one_of
from tutor.conventions import LOG_BASES

ROLES = ("student", "teacher", "admin")


class User(CreatedAt, Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)


class LoginSession(CreatedAt, Base):
    """A signed-in browser. Only a hash of the token is stored, so a leaked table cannot log anyone in."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SchoolClass(CreatedAt, Base):
    """A course: its teacher, and how its problems read notation (a bare ``log`` is base 10 or e)."""

    __tablename__ = "classes"
    __table_args__ = (
        UniqueConstraint("teacher_id", "name"),
        CheckConstraint(one_of("log_base", LOG_BASES), name="log_base"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    log_base: Mapped[str] = mapped_column(String(2), default="10", server_default="10")


class Enrollment(CreatedAt, Base):
    __tablename__ = "enrollments"

    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
