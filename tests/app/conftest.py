"""Database fixtures: every test gets a migrated database, on SQLite and on the real PostgreSQL.

Each PostgreSQL test session creates its own uniquely named database and drops it afterwards, so
parallel runs on the same server never see each other's rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db import Database
from bench import stack


@pytest.fixture(scope="session")
def postgres_server_url(postgres_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session."""
    with stack.scratch_database(postgres_url) as url:
        yield url


def _empty_postgres(url: str) -> Database:
    database = Database(url)
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    return database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database (no tables) on each backend."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'tutor.db'}")
    else:
        database = _empty_postgres(request.getfixturevalue("postgres_server_url"))
    yield database
    database.dispose()


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A database migrated to the newest revision, on each backend."""
    empty_db.upgrade()
    return empty_db
