"""Migrations build the schema the models describe, and can be undone and redone on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from app.db import Database
from app.models import Base


def _tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(empty_db: Database) -> None:
    assert empty_db.current_revision() is None
    empty_db.upgrade()
    assert _tables(empty_db) == set(Base.metadata.tables)
    assert empty_db.current_revision() is not None

    empty_db.downgrade("base")
    assert _tables(empty_db) == set()
    assert empty_db.current_revision() is None

    empty_db.upgrade()
    assert _tables(empty_db) == set(Base.metadata.tables)


def test_models_match_migrations(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_twice_is_harmless(db: Database) -> None:
    revision = db.current_revision()
    db.upgrade()
    assert db.current_revision() == revision
