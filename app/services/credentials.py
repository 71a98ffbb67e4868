"""Getting people back into their accounts: password resets and printable login cards.

Teachers reset the passwords of students in their own classes; admins reset anyone's. A reset signs
the account out everywhere. Passwords are stored only as hashes, so a login card can show a password
only when it is made: printing a class's cards gives each student on them a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Enrollment, LoginSession, SchoolClass, User
from app.security import generate_password, hash_password
from app.services.classes import load_class
from app.services.errors import NotFound, PermissionDenied
from app.services.users import check_new_user, normalize_username


@dataclass(frozen=True)
class LoginCard:
    username: str
    display_name: str
    password: str  # shown once, on the card


@dataclass(frozen=True)
class ClassCards:
    class_name: str
    cards: tuple[LoginCard, ...]


def reset_password(
    db: Database, *, actor_id: int, user_id: int, new_password: str | None = None
) -> LoginCard:
    """A new password for ``user_id`` (generated unless given), set by ``actor_id`` if allowed."""
    with db.transaction() as session:
        actor, user = _user(session, actor_id), _user(session, user_id)
        _check_may_reset(session, actor, user)
        return _set_password(session, user, new_password or generate_password())


def reset_password_by_username(db: Database, *, username: str, new_password: str | None = None) -> LoginCard:
    """The command line's reset (the operator has the server): no actor, any account."""
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == normalize_username(username)))
        if user is None:
            raise NotFound(f"there is no user called {username!r}")
        return _set_password(session, user, new_password or generate_password())


def issue_login_cards(
    db: Database, *, actor_id: int, class_id: int, student_ids: Sequence[int] | None = None
) -> ClassCards:
    """New passwords for a class's students (all, or those listed), as cards to print."""
    with db.transaction() as session:
        actor = _user(session, actor_id)
        school_class = load_class(session, class_id)
        _check_teaches(actor, school_class)
        query = (
            select(User)
            .join(Enrollment, Enrollment.student_id == User.id)
            .where(Enrollment.class_id == class_id)
            .order_by(User.display_name, User.username)
        )
        students = list(session.scalars(query))
        if student_ids is not None:
            wanted = set(student_ids)
            if not wanted <= {s.id for s in students}:
                raise PermissionDenied("login cards can only be made for students of this class")
            students = [s for s in students if s.id in wanted]
        cards = tuple(_set_password(session, s, generate_password()) for s in students)
        return ClassCards(school_class.name, cards)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"there is no user with id {user_id}")
    return user


def _check_teaches(actor: User, school_class: SchoolClass) -> None:
    if actor.role != "admin" and school_class.teacher_id != actor.id:
        raise PermissionDenied("only the class's teacher or an admin can do that")


def _check_may_reset(session: Session, actor: User, user: User) -> None:
    if actor.role == "admin":
        return
    if actor.role == "teacher" and user.role == "student":
        teaches = select(Enrollment.class_id).join(SchoolClass, SchoolClass.id == Enrollment.class_id)
        teaches = teaches.where(Enrollment.student_id == user.id, SchoolClass.teacher_id == actor.id)
        if session.scalar(teaches.limit(1)) is not None:
            return
    raise PermissionDenied(
        "teachers can reset the passwords of students in their own classes; admins can reset anyone's"
    )


def _set_password(session: Session, user: User, password: str) -> LoginCard:
    check_new_user(user.username, user.role, password)  # a chosen password must meet the same rules
    user.password_hash = hash_password(password)
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))  # signed out everywhere
    return LoginCard(user.username, user.display_name, password)
