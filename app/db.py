"""The database handle: engine, transactions and migrations.

SQLite is the embedded default and PostgreSQL the production database; both go through the same
code. Alembic is configured here, in code, from the installed ``migrations`` package, so
``flashtutor db upgrade`` works from any directory without an ``alembic.ini``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

import migrations
from app.settings import mask_url

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent


class DatabaseURLError(ValueError):
    """The configured database URL cannot be used."""


class Database:
    """One engine and its session factory; ``transaction()`` is the unit of work of every service."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as error:
            shown = mask_url(url)
            raise DatabaseURLError(f"not a database URL: {shown!r} (e.g. sqlite:///tutor.db)") from error
        backend = parsed.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise DatabaseURLError(f"FlashTutor supports SQLite and PostgreSQL, not {backend!r}")
        self.url = parsed
        create = _create_sqlite_engine if backend == "sqlite" else _create_postgres_engine
        self.engine = create(parsed, echo)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back if it raises."""
        with self._sessions() as session, session.begin():
            yield session

    def upgrade(self, revision: str = "head") -> None:
        """Apply migrations up to ``revision`` (default: the newest)."""
        with self._migrating() as connection:
            command.upgrade(_alembic_config(connection), revision)

    def downgrade(self, revision: str) -> None:
        """Undo migrations down to ``revision`` (``"base"``: an empty database)."""
        with self._migrating() as connection:
            command.downgrade(_alembic_config(connection), revision)

    @contextmanager
    def _migrating(self) -> Iterator[Connection]:
        """A connection in one transaction for Alembic.

        On SQLite, foreign keys are off while migrations run and checked before the commit, as SQLite's
        own procedure for rebuilding a table asks: batch mode copies a table, drops the old one and
        renames the copy, and with foreign keys on, dropping a table that others refer to runs their
        ON DELETE actions, deleting (CASCADE) or emptying (SET NULL) the rows that point at it.
        The pragma is a no-op inside a transaction, so it is set on the driver's connection first.
        """
        if not self.is_sqlite:
            with self.engine.begin() as connection:
                yield connection
            return
        with self.engine.connect() as connection:
            driver = connection.connection.driver_connection
            driver.execute("PRAGMA foreign_keys = OFF")
            try:
                with connection.begin():
                    yield connection
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"a migration left rows with dangling foreign keys: {broken[:5]}")
            finally:
                driver.execute("PRAGMA foreign_keys = ON")

    def current_revision(self) -> str | None:
        """The revision the database is at, or None before the first migration."""
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def dispose(self) -> None:
        self.engine.dispose()


def insert_if_absent(session: Session, model: type[Any], **values: Any) -> bool:
    """Insert a row unless one with the same key exists; True if inserted. Safe under concurrency."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return bool(session.execute(insert(model).values(**values).on_conflict_do_nothing()).rowcount)


def _create_postgres_engine(url: URL, echo: bool) -> Engine:
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _create_sqlite_engine(url: URL, echo: bool) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=20, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions start (see _on_begin).
        dbapi_connection.isolation_level = None
        for pragma in ("foreign_keys = ON", "journal_mode = WAL", "busy_timeout = 30000"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Take the write lock up front: a read transaction that later writes would fail with
        # "database is locked" when another writer got in between, instead of waiting its turn.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config
