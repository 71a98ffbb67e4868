"""Accounts, logins and the first admin, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import Database
from app.services import users
from app.services.errors import AuthenticationFailed, Conflict, InvalidInput


def test_create_and_authenticate(db: Database) -> None:
    created = users.create_user(
        db, username=" Ada ", display_name="Ada L.", role="teacher", password="analytical"
    )
    assert (created.username, created.role) == ("ada", "teacher")
    assert users.authenticate(db, username="ADA", password="analytical") == created
    with pytest.raises(AuthenticationFailed, match="wrong username or password"):
        users.authenticate(db, username="ada", password="wrong password")
    with pytest.raises(AuthenticationFailed):
        users.authenticate(db, username="nobody", password="analytical")


@pytest.mark.parametrize(
    ("username", "role", "password", "reason"),
    [("a", "student", "long enough", "2-64 characters"), ("bob smith", "student", "long enough", "username"),
     ("bob", "wizard", "long enough", "role must be one of"), ("bob", "student", "short", "at least 8")],
)
def test_bad_accounts_are_refused(db: Database, username: str, role: str, password: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        users.create_user(db, username=username, display_name="", role=role, password=password)
    assert users.list_users(db) == []


def test_taken_username_is_a_conflict(db: Database) -> None:
    users.create_user(db, username="ada", display_name="", role="student", password="password1")
    with pytest.raises(Conflict, match="already taken"):
        users.create_user(db, username="Ada", display_name="", role="teacher", password="password2")


def test_login_tokens_expire_and_log_out(db: Database) -> None:
    ada = users.create_user(db, username="ada", display_name="", role="student", password="password1")
    token = users.start_login_session(db, user_id=ada.id, ttl=timedelta(hours=1))
    assert users.user_for_token(db, token=token) == ada
    users.end_login_session(db, token=token)
    with pytest.raises(AuthenticationFailed, match="expired"):
        users.user_for_token(db, token=token)
    stale = users.start_login_session(db, user_id=ada.id, ttl=timedelta(seconds=-1))
    with pytest.raises(AuthenticationFailed):
        users.user_for_token(db, token=stale)


def test_first_admin_is_created_once(db: Database) -> None:
    generated = users.ensure_first_admin(db)
    assert generated is not None and generated.count("-") == 4  # four words and a number
    assert users.authenticate(db, username="admin", password=generated).role == "admin"
    assert users.ensure_first_admin(db) is None
    assert [u.username for u in users.list_users(db, role="admin")] == ["admin"]


def test_first_admin_takes_a_configured_password(db: Database) -> None:
    assert users.ensure_first_admin(db, password="configured secret") is None
    assert users.authenticate(db, username="admin", password="configured secret").role == "admin"
