"""Class rosters in and gradebooks out, as CSV.

An import is all or nothing: every row is checked first, and if any row is bad nothing is written
and the error names every bad row by its line number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select

from app.db import Database
from app.models import User
from app.security import generate_password
from app.services.assignments import gradebook_report
from app.services.classes import enroll, load_class
from app.services.errors import BadRows, InvalidInput, RowError
from app.services.progress import class_gradebook
from app.services.users import add_user, check_new_user, normalize_username
from tutor.assignment_progress import AssignmentProgress

ROSTER_COLUMNS = ("username", "display_name", "password")
MAX_ROWS = 5000


class RosterError(BadRows):
    """The roster cannot be imported; ``errors`` lists every bad row."""


@dataclass(frozen=True)
class NewStudent:
    username: str
    password: str | None  # generated here, to hand to the student; None when the CSV supplied one


@dataclass(frozen=True)
class RosterImport:
    created: list[NewStudent]
    enrolled: list[str]  # existing students added to the class
    already_enrolled: list[str]


@dataclass(frozen=True)
class _Row:
    line: int
    username: str
    display_name: str
    password: str


def import_roster(db: Database, *, class_id: int, csv_text: str) -> RosterImport:
    """Create missing student accounts from ``csv_text`` and enroll everyone listed in the class.

    Columns: ``username`` (required), ``display_name`` and ``password`` (optional; an empty password
    gets a generated one, returned in the result). Raises ``RosterError`` naming every bad row.
    """
    rows, errors = _read_rows(csv_text)
    errors += _check_rows(rows)
    with db.transaction() as session:
        load_class(session, class_id)
        existing = {
            user.username: user
            for user in session.scalars(select(User).where(User.username.in_([r.username for r in rows])))
        }
        for row in rows:
            user = existing.get(row.username)
            if user is not None and user.role != "student":
                errors.append(RowError(row.line, f"{row.username!r} is a {user.role}, not a student"))
            elif user is not None and row.password:
                message = f"{row.username!r} already has an account; leave its password empty"
                errors.append(RowError(row.line, message))
        if errors:
            raise RosterError(sorted(errors, key=lambda e: e.line))

        created, enrolled, already = [], [], []
        for row in rows:
            user = existing.get(row.username)
            if user is None:
                password = row.password or generate_password()
                user = add_user(
                    session, username=row.username, display_name=row.display_name, role="student",
                    password=password,
                )
                created.append(NewStudent(row.username, None if row.password else password))
                enroll(session, class_id=class_id, student=user)
            elif enroll(session, class_id=class_id, student=user):
                enrolled.append(row.username)
            else:
                already.append(row.username)
    return RosterImport(created, enrolled, already)


def _read_rows(csv_text: str) -> tuple[list[_Row], list[RowError]]:
    _check_text(csv_text)
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))  # Excel writes a byte-order mark
    try:
        return _parse_rows(reader)
    except csv.Error as error:
        raise RosterError([RowError(reader.line_num + 1, f"this is not readable as CSV ({error})")]) from None


def _check_text(csv_text: str) -> None:
    """Reject text no database can store: NUL characters (a UTF-16 file read as UTF-8) or lone surrogates."""
    bad = next((i for i, char in enumerate(csv_text) if char == "\x00" or "\ud800" <= char <= "\udfff"), None)
    if bad is not None:
        line = csv_text.count("\n", 0, bad) + 1
        message = f"character {csv_text[bad]!r} is not text; save the roster as a UTF-8 CSV file"
        raise RosterError([RowError(line, message)])


def _parse_rows(reader: csv.DictReader) -> tuple[list[_Row], list[RowError]]:
    header = [name.strip().lower() for name in reader.fieldnames or []]
    expected = ", ".join(ROSTER_COLUMNS)
    if "username" not in header:
        raise RosterError([RowError(1, f"the header must name a 'username' column (columns: {expected})")])
    unknown = [name for name in header if name not in ROSTER_COLUMNS]
    if unknown:
        raise RosterError([RowError(1, f"unknown column(s) {', '.join(unknown)}; expected {expected}")])
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise RosterError([RowError(1, f"the header names the column(s) {', '.join(repeated)} twice")])
    reader.fieldnames = header
    rows: list[_Row] = []
    errors: list[RowError] = []
    for record in reader:
        if len(rows) + len(errors) >= MAX_ROWS:
            raise InvalidInput(f"a roster can have at most {MAX_ROWS} rows")
        if None in record:
            message = f"more fields than the {len(header)} columns of the header"
            errors.append(RowError(reader.line_num, message))
            continue
        values = {name: record.get(name) or "" for name in ROSTER_COLUMNS}
        if any(value.strip() for value in values.values()):  # blank lines are skipped
            username = normalize_username(values["username"])
            rows.append(_Row(reader.line_num, username, values["display_name"].strip(), values["password"]))
    return rows, errors


def _check_rows(rows: list[_Row]) -> list[RowError]:
    """Problems visible without the database: bad names or passwords, repeated usernames."""
    errors = []
    first_line: dict[str, int] = {}
    for row in rows:
        if row.username in first_line:
            message = f"{row.username!r} is repeated (first on line {first_line[row.username]})"
            errors.append(RowError(row.line, message))
            continue
        first_line[row.username] = row.line
        try:
            check_new_user(row.username, "student", row.password or generate_password())
        except InvalidInput as error:
            errors.append(RowError(row.line, str(error)))
        if len(row.display_name) > 200:
            errors.append(RowError(row.line, "display_name can have at most 200 characters"))
    return errors


def export_gradebook(db: Database, *, class_id: int) -> str:
    """The class gradebook as CSV: one row per student, totals, mastery (0-1) per skill, then for each
    assignment (oldest first) the problems finished and the score (share of its problems solved, 0-1)."""
    gradebook = class_gradebook(db, class_id=class_id)
    reports = gradebook_report(db, class_id=class_id)
    progress = {(r.assignment.id, s.username): s.progress for r in reports for s in r.students}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([
        "username", "display_name", "problems_started", "problems_solved", "problems_skipped", "steps",
        "hints", "solutions_revealed", *(f"mastery:{skill}" for skill in gradebook.skills),
        *(_text_cell(f"{r.assignment.title} (#{r.assignment.id}):{column}")
          for r in reports for column in (f"finished of {r.assignment.problem_count}", "score")),
    ])
    for row in gradebook.rows:
        mine = [progress.get((r.assignment.id, row.username)) for r in reports]
        writer.writerow([
            row.username, _text_cell(row.display_name), row.problems_started, row.problems_solved,
            row.problems_skipped, row.steps, row.hints, row.solutions_revealed,
            *(_cell(row.mastery.get(skill)) for skill in gradebook.skills),
            *(cell for p in mine for cell in (_finished(p), _cell(p.score if p else None))),
        ])
    return out.getvalue()


def _finished(progress: AssignmentProgress | None) -> str:
    # A bare count: "3/5" would turn into a date in a spreadsheet.
    return "" if progress is None else str(min(progress.finished, progress.total))


def _text_cell(text: str) -> str:
    # A leading =, +, - or @ would make a spreadsheet run the cell as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"
