"""Import a teacher's problem set from CSV or JSONL, all or nothing, every bad row named.

Rows may use FlashTutor's own fields (prompt, start, answer, form, skill, level, kind) or the
field names of MATH-500 (problem, answer, level) and GSM8K (question, answer ending "#### 18").
Those public sets carry no starting line, so a row from them needs a ``start`` column added; without
one it is named as bad, since the step checker needs a line to check the learner's first step against.
"""

from __future__ import annotations

import csv
import io
import json

from app.db import Database
from app.services import authoring
from app.services.errors import BadRows, InvalidInput, RowError
from tutor.problems import SKILLS
from tutor.workability import check_workable

MAX_IMPORT_ROWS = 500
MAX_IMPORT_CHARS = 2_000_000


ProblemRowError = RowError  # a bad row of a problem set: its line and what is wrong


class ProblemImportError(BadRows):
    """The problem set cannot be imported; ``errors`` names every bad row."""


def import_problems(
    db: Database, *, author_id: int, text: str, filename: str, skill_id: str | None = None,
    level: int | None = None,
) -> list[int]:
    """Store every row of the file as the author's problem and return their ids in file order.

    ``skill_id`` and ``level`` fill in rows that do not name their own.
    """
    if len(text) > MAX_IMPORT_CHARS:
        raise InvalidInput(f"the file is too large (at most {MAX_IMPORT_CHARS:,} characters)")
    rows = _read_rows(text, filename)
    if not rows:
        raise InvalidInput("the file has no problems in it")
    if len(rows) > MAX_IMPORT_ROWS:
        raise InvalidInput(f"import at most {MAX_IMPORT_ROWS} problems at a time, not {len(rows)}")
    drafts, errors = [], []
    for line, row in rows:
        try:
            drafts.append(_draft(row, skill_id, level))
        except InvalidInput as error:
            errors.append(ProblemRowError(line, str(error)))
    if errors:
        raise ProblemImportError(errors)
    return authoring.add_problems(db, author_id=author_id, problems=drafts)


def _read_rows(text: str, filename: str) -> list[tuple[int, dict]]:
    text = text.removeprefix("\ufeff")
    if filename.lower().endswith((".jsonl", ".json", ".ndjson")):
        rows, errors = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                errors.append(ProblemRowError(number, f"not a JSON object: {error.msg}"))
                continue
            if not isinstance(row, dict):
                errors.append(ProblemRowError(number, "not a JSON object"))
                continue
            rows.append((number, row))
        if errors:
            raise ProblemImportError(errors)
        return rows
    if filename.lower().endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text))
        reader.fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
        return [(reader.line_num, row) for row in reader if any((v or "").strip() for v in row.values())]
    raise InvalidInput("choose a .csv or .jsonl file")


def _draft(row: dict, skill_id: str | None, level: int | None) -> authoring.ProblemDraft:
    prompt = _text(row, "prompt", "problem", "question")
    answer = _text(row, "answer")
    if "question" in row and "####" in answer:  # GSM8K: a worked solution ending in "#### 18"
        answer = answer.rsplit("####", 1)[1].strip().replace(",", "")
    start = _text(row, "start")
    if not start:
        source = "MATH-500" if "problem" in row else "GSM8K" if "question" in row else "this"
        raise InvalidInput(f"no start: {source} rows need a 'start' column with the problem's first line "
                           "of math (e.g. 3x - 4 = 11)")
    skill = _text(row, "skill", "skill_id") or skill_id
    if skill not in SKILLS:
        raise InvalidInput(f"choose a skill for this row (one of: {', '.join(SKILLS)}), not {skill!r}")
    difficulty = _level(_text(row, "level", "difficulty"), level)
    kind = _text(row, "kind") or authoring.kind_of(start)
    form = _text(row, "form") or "equivalent"
    draft = authoring.ProblemDraft(skill, difficulty, kind, prompt, start, answer, form)
    authoring.check_draft(draft)
    workable = check_workable(authoring.as_tutor_problem(draft))
    if workable.answer_follows is False:
        raise InvalidInput(workable.message)
    return draft


def _text(row: dict, *names: str) -> str:
    for name in names:
        value = row.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def _level(text: str, default: int | None) -> int:
    if not text:
        if default is None:
            raise InvalidInput("give the row a level from 1 to 5 (or choose one for the whole file)")
        return default
    if not text.isdecimal() or not 1 <= int(text) <= 5:
        raise InvalidInput(f"the level must be a whole number from 1 to 5, not {text!r}")
    return int(text)
