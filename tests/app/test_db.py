"""The database handle: clear errors for bad URLs, foreign keys enforced, transactions all-or-nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.db import Database, DatabaseURLError
from app.models import Enrollment, User


@pytest.mark.parametrize("url", ["not a url", "mysql://localhost/tutor"])
def test_unusable_url_is_a_clear_error(url: str) -> None:
    with pytest.raises(DatabaseURLError, match=r"SQLite and PostgreSQL|not a database URL"):
        Database(url)


def test_sqlite_creates_its_folder(tmp_path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'nested' / 'data' / 'tutor.db'}")
    database.upgrade()
    assert (tmp_path / "nested" / "data" / "tutor.db").exists()
    database.dispose()


def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as session:
        session.add(User(username="ada", display_name="Ada", role="student", password_hash="x"))
        session.flush()
        raise RuntimeError("boom")
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(Enrollment(class_id=999, student_id=999))


def test_check_constraints_guard_roles(db: Database) -> None:
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(User(username="eve", display_name="Eve", role="superuser", password_hash="x"))
