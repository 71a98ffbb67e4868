"""Accounts and logins: creating users, checking passwords, login-session tokens, the first admin."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import Database
from app.models import ROLES, LoginSession, User
from app.security import (
    WeakPasswordError,
    check_password_strength,
    dummy_password_hash,
    generate_password,
    hash_password,
    needs_rehash,
    new_token,
    token_digest,
    verify_password,
)
from app.services.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
FIRST_ADMIN = "admin"


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    role: str
    is_active: bool


def user_info(user: User) -> UserInfo:
    return UserInfo(user.id, user.username, user.display_name, user.role, user.is_active)


def normalize_username(username: str) -> str:
    return username.strip().lower()


def check_new_user(username: str, role: str, password: str) -> None:
    """Raise ``InvalidInput`` naming what is wrong with a would-be account (reads no database)."""
    if not USERNAME.fullmatch(username):
        raise InvalidInput(
            f"username {username!r} must be 2-64 characters: lowercase letters, digits, '.', '_' or '-',"
            " starting with a letter or digit"
        )
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    try:
        check_password_strength(password)
    except WeakPasswordError as error:
        raise InvalidInput(str(error)) from error


def add_user(session: Session, *, username: str, display_name: str, role: str, password: str) -> User:
    """Add a checked user inside an open transaction; ``Conflict`` when the username is taken."""
    username = normalize_username(username)
    check_new_user(username, role, password)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"the username {username!r} is already taken")
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def create_user(db: Database, *, username: str, display_name: str, role: str, password: str) -> UserInfo:
    """A new account. Raises ``InvalidInput`` for a bad name, role or password, ``Conflict`` if taken."""
    try:
        with db.transaction() as session:
            return user_info(
                add_user(session, username=username, display_name=display_name, role=role, password=password)
            )
    except IntegrityError as error:  # the same name was created by someone else at the same moment
        raise Conflict(f"the username {normalize_username(username)!r} is already taken") from error


def get_user(db: Database, *, user_id: int) -> UserInfo:
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"there is no user with id {user_id}")
        return user_info(user)


def list_users(db: Database, *, role: str | None = None) -> list[UserInfo]:
    """All users (of one role if given), by username."""
    if role is not None and role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    query = select(User).order_by(User.username)
    if role is not None:
        query = query.where(User.role == role)
    with db.transaction() as session:
        return [user_info(user) for user in session.scalars(query)]


def authenticate(db: Database, *, username: str, password: str) -> UserInfo:
    """The user with these credentials; ``AuthenticationFailed`` (without saying which part) otherwise."""
    name = normalize_username(username)
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == name)) if len(name) <= 64 else None
        # An unknown name is checked against a dummy hash: the answer takes as long as for a real account.
        matches = verify_password(user.password_hash if user else dummy_password_hash(), password)
        if user is None or not user.is_active or not matches:
            raise AuthenticationFailed("wrong username or password")
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        return user_info(user)


def start_login_session(db: Database, *, user_id: int, ttl: timedelta) -> str:
    """A new login token for ``user_id``, valid for ``ttl``; only its digest is stored."""
    token = new_token()
    with db.transaction() as session:
        if session.get(User, user_id) is None:
            raise NotFound(f"there is no user with id {user_id}")
        expires_at = datetime.now(UTC) + ttl
        session.add(LoginSession(token_hash=token_digest(token), user_id=user_id, expires_at=expires_at))
    return token


def user_for_token(db: Database, *, token: str) -> UserInfo:
    """The user a login token belongs to; ``AuthenticationFailed`` when unknown or expired."""
    with db.transaction() as session:
        query = (
            select(User)
            .join(LoginSession, LoginSession.user_id == User.id)
            .where(LoginSession.token_hash == token_digest(token))
            .where(LoginSession.expires_at > datetime.now(UTC))
        )
        user = session.scalar(query)
        if user is None or not user.is_active:
            raise AuthenticationFailed("your login has expired; please sign in again")
        return user_info(user)


def end_login_session(db: Database, *, token: str) -> None:
    """Log out: the token stops working at once."""
    with db.transaction() as session:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == token_digest(token)))


def ensure_first_admin(db: Database, *, password: str | None = None) -> str | None:
    """Create the ``admin`` account if no admin exists yet.

    Uses ``password`` when given; otherwise generates one and returns it, so the caller can show it
    exactly once. Returns None when nothing was generated.
    """
    chosen = password or generate_password()
    try:
        with db.transaction() as session:
            if session.scalar(select(User.id).where(User.role == "admin").limit(1)) is not None:
                return None
            add_user(
                session, username=FIRST_ADMIN, display_name="Administrator", role="admin", password=chosen
            )
    except IntegrityError:  # another process created it at the same moment
        return None
    return None if password else chosen
