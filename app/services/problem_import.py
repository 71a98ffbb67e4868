"""Import a teacher's problem set from CSV or JSONL, all or nothing, every bad row named.

Rows may use FlashTutor's own fields (prompt, start, answer, form, skill, level, kind, subject) or be rows
of the public sets exactly as published:

- MATH-500 (problem, solution, answer, subject, level, unique_id): the problem is the prompt, its answer
  the final answer, its level (1-5) the difficulty, and its subject is kept with the problem.
- GSM8K (question, answer): the question is the prompt, and the final answer the number after the
  "####" that ends the worked solution.

A row needs no start. Without one the tutor checks the learner's final answer, and each of their lines
against the one before where it can (see ``tutor.outcome``). A MATH-500 problem whose only math is a plain
arithmetic expression that the answer equals ("Compute $99^2+99+1$") gets that expression as its start,
so the learner's first line is checked against it.

A row's skill is its own, else the one chosen for the file, else the curriculum's closest skill for the
set's subject (GSM8K's word problems: order of operations). Its level is its own, else the file's, else
for GSM8K one read from the length of the worked solution.
"""

from __future__ import annotations

import csv
import io
import json
import re

import sympy

from app.db import Database
from app.services import authoring
from app.services.errors import BadRows, InvalidInput, RowError
from tutor.answers import unreadable_answer
from tutor.parse import MathSyntaxError, parse_math
from tutor.problems import SKILLS
from tutor.verify import check_step
from tutor.workability import check_workable

MAX_IMPORT_ROWS = 500
MAX_IMPORT_CHARS = 2_000_000

# The curriculum's closest skill for each MATH-500 subject, where a mastery update for these problems lands.
SUBJECT_SKILLS = {
    "Prealgebra": "order_of_operations",
    "Algebra": "linear_both_sides",
    "Number Theory": "order_of_operations",
    "Counting & Probability": "fractions",
    "Geometry": "radicals",
    "Intermediate Algebra": "factor_polynomials",
    "Precalculus": "rational_expressions",
}
GSM8K_SKILL = "order_of_operations"
_MATH_SEGMENT = re.compile(r"\$\$(.+?)\$\$|(?<!\\)\$(.+?)(?<!\\)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
_LEVEL = re.compile(r"(?:level\s*)?(\d+)", re.IGNORECASE)


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
    layout = _layout(row)
    prompt = _text(row, "prompt", "problem", "question")
    if not prompt:
        raise InvalidInput("no prompt: give the row a 'prompt' (MATH-500: 'problem', GSM8K: 'question')")
    answer = _answer(row, layout)
    if reason := unreadable_answer(answer):
        raise InvalidInput(reason)
    start = _text(row, "start")
    derived = not start and layout == "MATH-500" and _plain_expression(prompt, answer)
    start = start or derived or ""
    subject = _text(row, "subject") or None
    skill = _text(row, "skill", "skill_id") or skill_id or _skill_for(layout, subject)
    if skill not in SKILLS:
        raise InvalidInput(f"choose a skill for this row (one of: {', '.join(SKILLS)}), not {skill!r}")
    difficulty = _level(_text(row, "level", "difficulty"), level, row, layout)
    kind = _text(row, "kind") or ("evaluate" if derived else authoring.kind_of(start, answer))
    form = _text(row, "form") or "equivalent"
    draft = authoring.ProblemDraft(skill, difficulty, kind, prompt, start, answer, form, subject)
    authoring.check_draft(draft)
    workable = check_workable(authoring.as_tutor_problem(draft))
    if workable.answer_follows is False:
        raise InvalidInput(workable.message)
    return draft


def _layout(row: dict) -> str:
    """Whose field names the row uses: "MATH-500", "GSM8K" or "own"."""
    if "prompt" in row:
        return "own"
    return "MATH-500" if "problem" in row else "GSM8K" if "question" in row else "own"


def _answer(row: dict, layout: str) -> str:
    answer = _text(row, "answer")
    if not answer:
        raise InvalidInput("no answer: give the row its final 'answer'")
    if layout != "GSM8K":
        return answer
    if "####" not in answer:
        if "\n" in answer:
            raise InvalidInput("no final answer: a GSM8K answer ends with '#### ' and the number")
        return answer  # a plain final answer
    final = answer.rsplit("####", 1)[1].strip().replace(",", "")
    if not final:
        raise InvalidInput("no final answer after '####'")
    return final


def _plain_expression(prompt: str, answer: str) -> str | None:
    """The prompt's only math, when it is a plain arithmetic expression that ``answer`` equals."""
    segments = [next(part for part in match.groups() if part is not None).strip()
                for match in _MATH_SEGMENT.finditer(prompt)]
    if len(segments) != 1:
        return None
    try:
        value = parse_math(segments[0])
        if not isinstance(value, sympy.Expr) or value.free_symbols:
            return None
        verdict = check_step(segments[0], answer)
    except MathSyntaxError:
        return None
    return segments[0] if verdict.status == "equivalent" else None


def _skill_for(layout: str, subject: str | None) -> str | None:
    if layout == "GSM8K":
        return GSM8K_SKILL
    return SUBJECT_SKILLS.get(subject or "")


def _text(row: dict, *names: str) -> str:
    for name in names:
        value = row.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def _level(text: str, default: int | None, row: dict, layout: str) -> int:
    if not text:
        if default is not None:
            return default
        if layout == "GSM8K":
            return _gsm8k_level(_text(row, "answer"))
        raise InvalidInput("give the row a level from 1 to 5 (or choose one for the whole file)")
    match = _LEVEL.fullmatch(text)  # MATH's own spelling is "Level 3"
    if match is None or not 1 <= int(match.group(1)) <= 5:
        raise InvalidInput(f"the level must be a whole number from 1 to 5, not {text!r}")
    return int(match.group(1))


def _gsm8k_level(solution: str) -> int:
    """Two lines of working (the shortest GSM8K solutions) is level 1, six or more level 5."""
    steps = [line for line in solution.rsplit("####", 1)[0].splitlines() if line.strip()]
    return min(5, max(1, len(steps) - 1))
