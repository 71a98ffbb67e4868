"""import_roster with malformed CSV: a clear RosterError (or success), and never half an import."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.db import Database
from app.roster import RosterError, import_roster
from app.services import classes, users
from app.services.errors import InvalidInput, ServiceError

SECONDS = 10.0
ROSTER = "username,display_name,password\nada,Ada L.,\ngrace,Grace H.,hopper1906\n"
MALFORMED = {
    "nul byte": "username,display_name\nabc,x\x00y\n",
    "lone surrogate": "username,display_name\nabd,x\ud800y\n",
    "surrogate password": "username,password\nabe,pass\udfffword\n",
    "huge field": "username,display_name\nabf," + "x" * 200_000 + "\n",
    "huge quoted field": 'username,display_name\nabg,"' + "x" * 200_000 + '"\n',
    "old mac line ends": "username\rabl\rabm\r",
    "repeated column": "username,username\nabi,abj\n",
    "empty column name": "username,,\nabk,,\n",
    "no header": "",
    "only commas": ",,,\n,,,\n",
    "extra columns": "username\nabn,extra\n",
    "missing username column": "display_name\nAda\n",
    "header in another language": "benutzername\nada\n",
    "byte-order mark twice": "\ufeff\ufeffusername\nabo\n",
    "huge password": "username,password\nabp," + "p" * 100_000 + "\n",
    "bad username": "username\n../../etc/passwd\n",
    "formula injection": "username,display_name\nabq,=cmd|' /C calc'!A0\nabr,x\n",
    "100k rows": "username\n" + "".join(f"u{i}\n" for i in range(100_000)),
    "one row, 100k columns": "username\n" + "," * 100_000 + "\n",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('roster') / 'tutor.db'}")
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def class_id(db: Database) -> int:
    teacher = users.create_user(db, username="teach", display_name="T", role="teacher", password="password1")
    return classes.create_class(db, teacher_id=teacher.id, name="Algebra 1").id


def snapshot(db: Database, class_id: int) -> tuple[int, list[str]]:
    enrolled = [student.username for student in classes.class_students(db, class_id=class_id)]
    return len(users.list_users(db)), enrolled


def import_all_or_nothing(db: Database, class_id: int, text: str) -> ServiceError | None:
    """Import ``text``; on a refusal check that nothing changed and return the error."""
    before = snapshot(db, class_id)
    started = time.perf_counter()
    try:
        import_roster(db, class_id=class_id, csv_text=text)
    except (RosterError, InvalidInput) as error:
        assert str(error).strip()
        assert snapshot(db, class_id) == before, "a refused roster changed the database"
        return error
    finally:
        assert time.perf_counter() - started < SECONDS
    return None


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_rosters_are_refused_or_imported_whole(db: Database, class_id: int, text: str) -> None:
    import_all_or_nothing(db, class_id, text)


@pytest.mark.parametrize(
    "text", [MALFORMED[k] for k in ("nul byte", "lone surrogate", "huge field", "old mac line ends")]
)
def test_text_no_database_can_store_is_a_roster_error(db: Database, class_id: int, text: str) -> None:
    """These used to escape as UnicodeEncodeError or csv.Error: a 500 in the web app, a CLI traceback."""
    error = import_all_or_nothing(db, class_id, text)
    assert isinstance(error, RosterError) and error.errors[0].line >= 1


def test_a_repeated_column_is_named(db: Database, class_id: int) -> None:
    error = import_all_or_nothing(db, class_id, MALFORMED["repeated column"])
    assert isinstance(error, RosterError) and "username twice" in str(error)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "utf-8-sig"])
@pytest.mark.parametrize("decode_as", ["utf-8-sig", "latin-1"])
def test_files_in_other_encodings_are_refused_or_read(
    db: Database, class_id: int, encoding: str, decode_as: str
) -> None:
    """A spreadsheet's export in any encoding, decoded leniently: a clear error or the right names."""
    raw = "username,display_name\nzoë,Zoë Ö.\nbob,Bob\n".encode(encoding)
    error = import_all_or_nothing(db, class_id, raw.decode(decode_as, errors="replace"))
    if error is None:
        assert "bob" in snapshot(db, class_id)[1]


CSV_PIECES = st.sampled_from(
    ["username", "display_name", "password", ",", "\n", "\r\n", '"', "ada", "bo", "hunter22", "\ufeff", " "]
)


@settings(settings.get_profile("hostile"), max_examples=60)
@given(st.lists(st.one_of(CSV_PIECES, st.text(max_size=6)), max_size=14))
def test_random_csv_is_refused_or_imported_whole(db: Database, class_id: int, pieces: list[str]) -> None:
    import_all_or_nothing(db, class_id, "".join(pieces))
