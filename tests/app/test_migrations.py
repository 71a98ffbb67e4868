"""Migrations build the schema the models describe, and can be undone and redone on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.exc import IntegrityError

from app.db import Database
from app.models import Base

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


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


# (skill, attempt, evidence), oldest first. fractions: failed, solved, solved after a hint, then two
# unaided: a run of 2. radicals: solved after a wrong step, then three unaided: a run of 3.
HISTORY = [
    ("fractions", 1, "problem_failed"), ("fractions", 2, "step_correct"), ("fractions", 2, "problem_solved"),
    ("fractions", 3, "hint"), ("radicals", 4, "step_wrong"), ("fractions", 3, "problem_solved"),
    ("radicals", 4, "problem_solved"), ("fractions", 5, "problem_solved"), ("radicals", 6, "problem_solved"),
    ("fractions", 7, "problem_solved"), ("radicals", 8, "problem_solved"), ("radicals", 9, "problem_solved"),
]


def _rows_before_0002() -> dict[str, list[dict]]:
    skills = ["fractions", "radicals"]
    attempts = sorted({(attempt, skill) for skill, attempt, _ in HISTORY})
    return {
        "skills": [dict(id=s, name=s, description="", position=i, prerequisites=[])
                   for i, s in enumerate(skills)],
        "users": [dict(id=1, username="ada", display_name="", role="student", password_hash="-",
                       is_active=True, created_at=NOW)],
        "problems": [dict(id=i, skill_id=s, difficulty=1, seed=None, source="authored", kind="simplify",
                          prompt="", latex="", start="1", answer="1", author_id=None, created_at=NOW)
                     for i, s in enumerate(skills)],
        "tutoring_sessions": [dict(id=1, user_id=1, assignment_id=None, ended_at=None, created_at=NOW)],
        "attempts": [dict(id=a, session_id=1, user_id=1, problem_id=skills.index(s), status="solved",
                          current_state="1", step_count=1, hint_count=0, solution_revealed_at=None,
                          finished_at=NOW, created_at=NOW) for a, s in attempts],
        "skill_mastery": [dict(user_id=1, skill_id=s, p_mastery=0.9, ability=900.0, problems_finished=5,
                               updates=6, updated_at=NOW) for s in skills],
        "mastery_events": [dict(id=i, user_id=1, skill_id=s, attempt_id=a, evidence=kind,
                                hint_level=1 if kind == "hint" else None, p_mastery=0.5, ability=900.0,
                                created_at=NOW) for i, (s, a, kind) in enumerate(HISTORY, start=1)],
    }


def test_the_run_of_unaided_solves_is_filled_in_from_the_history(empty_db: Database) -> None:
    """Learners keep the run they already have when revision 0002 adds it (no mastery lost on upgrade)."""
    empty_db.upgrade("0001")
    with empty_db.engine.begin() as connection:
        tables = MetaData()
        tables.reflect(connection)
        for name, values in _rows_before_0002().items():
            connection.execute(tables.tables[name].insert(), values)
    empty_db.upgrade()
    with empty_db.engine.connect() as connection:
        runs = dict(connection.execute(text("SELECT skill_id, solved_in_a_row FROM skill_mastery")).all())
    assert runs == {"fractions": 2, "radicals": 3}


def _rows_before_0006() -> dict[str, list[dict]]:
    rows = _rows_before_0002()
    rows["attempts"] = [dict(rows["attempts"][0], id=1, status="in_progress", finished_at=None)]
    rows["steps"] = [dict(id=1, attempt_id=1, position=1, client_request_id="r1", text="2", verdict="invalid",
                          message="", accepted=False, is_final_answer=False, time_taken_ms=1, hints_used=0,
                          misconception=None, created_at=NOW)]
    rows["mastery_events"] = [dict(rows["mastery_events"][0], attempt_id=1, evidence="step_wrong")]
    rows["skill_mastery"] = [dict(row, solved_in_a_row=0) for row in rows["skill_mastery"]]
    return rows


def _status_is_allowed(database: Database, status: str) -> bool:
    try:
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE attempts SET status = :status"), {"status": status})
    except IntegrityError:
        return False
    return True


def test_skipped_attempts_come_with_0006_and_go_back_to_given_up(empty_db: Database) -> None:
    """The status CHECK is rebuilt on both backends, and SQLite's table rebuild loses no rows that refer to
    the attempts (with foreign keys on, dropping the old table would cascade to its steps)."""
    empty_db.upgrade("0005")
    with empty_db.engine.begin() as connection:
        tables = MetaData()
        tables.reflect(connection)
        for name, values in _rows_before_0006().items():
            connection.execute(tables.tables[name].insert(), values)
    assert not _status_is_allowed(empty_db, "skipped")

    empty_db.upgrade()
    assert _status_is_allowed(empty_db, "skipped") and not _status_is_allowed(empty_db, "lost")
    with empty_db.engine.begin() as connection:
        connection.execute(text("UPDATE mastery_events SET evidence = 'problem_skipped'"))
        assert connection.execute(text("SELECT attempt_id, text FROM steps")).all() == [(1, "2")]
        assert connection.execute(text("SELECT attempt_id FROM mastery_events")).scalars().all() == [1]

    empty_db.downgrade("0005")
    with empty_db.engine.connect() as connection:
        assert connection.execute(text("SELECT status FROM attempts")).scalars().all() == ["gave_up"]
        assert connection.execute(text("SELECT evidence FROM mastery_events")).scalars().all() == [
            "problem_failed"
        ]
        assert connection.execute(text("SELECT count(*) FROM steps")).scalar() == 1
    assert not _status_is_allowed(empty_db, "skipped")
    if empty_db.is_sqlite:  # the migration turned foreign keys off only while it ran
        with empty_db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_reply_traces_are_added_and_removed_without_losing_model_requests(empty_db: Database) -> None:
    """0009 adds ``model_requests.trace`` (empty for existing rows); undoing it keeps the rows."""
    empty_db.upgrade("0005")
    row = dict(id=1, purpose="assessment", status="done", prompt="[]", output="x = 2", created_at=NOW)
    with empty_db.engine.begin() as connection:
        tables = MetaData()
        tables.reflect(connection)
        connection.execute(tables.tables["model_requests"].insert(), [row])
    empty_db.upgrade("0009")
    with empty_db.engine.connect() as connection:
        assert connection.execute(text("SELECT output, trace FROM model_requests")).all() == [("x = 2", None)]
    empty_db.downgrade("0008")
    assert "trace" not in {c["name"] for c in inspect(empty_db.engine).get_columns("model_requests")}
    with empty_db.engine.connect() as connection:
        assert connection.execute(text("SELECT output FROM model_requests")).all() == [("x = 2",)]
