"""How the teacher dashboard shows its data: heatmap, timeline, tables, and the files it reads and writes."""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import gradio as gr
import pandas as pd

from app.db import Database
from app.roster import export_gradebook
from app.services import web_queries as queries
from app.services.assignments import AssignmentInfo
from app.services.progress import class_gradebook
from app.web.ui.views import VERDICTS, skill_name

ERROR_COLUMNS = ["skill", "verdict", "what went wrong", "times", "example step"]
ASSIGNMENT_COLUMNS = ["title", "skill", "problems", "due"]
MAX_ROSTER_BYTES = 2_000_000


def parse_due_date(text: str) -> datetime | None:
    """A due date typed as YYYY-MM-DD, due at the end of that day (UTC); empty means no due date."""
    if not text.strip():
        return None
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d")
    except ValueError as error:
        raise gr.Error(f"Write the due date as YYYY-MM-DD, for example 2026-12-01 (not {text!r}).") from error
    return day.replace(hour=23, minute=59, tzinfo=UTC)


def assignments_frame(items: list[AssignmentInfo]) -> pd.DataFrame:
    rows = [
        [a.title, skill_name(a.skill_id), a.problem_count, f"{a.due_at:%Y-%m-%d}" if a.due_at else ""]
        for a in items
    ]
    return pd.DataFrame(rows, columns=ASSIGNMENT_COLUMNS)


def mastery_heatmap(db: Database, class_id: int) -> str:
    """Students by skills, each cell coloured from red (not yet) to green (mastered)."""
    gradebook = class_gradebook(db, class_id=class_id)
    if not gradebook.rows:
        return "<p>No students in this class yet: import a roster below.</p>"
    head = "".join(f"<th>{escape(skill_name(skill))}</th>" for skill in gradebook.skills)
    lines = []
    for row in gradebook.rows:
        cells = []
        for skill in gradebook.skills:
            value = row.mastery.get(skill)
            if value is None:
                cells.append("<td class='ft-cell-empty'>–</td>")
            else:
                cells.append(f"<td style='background: hsl({value * 120:.0f} 70% 82%)'>{value:.0%}</td>")
        lines.append(f"<tr><th>{escape(row.display_name)}</th>{''.join(cells)}</tr>")
    if not gradebook.skills:
        return "<p>No practice yet in this class.</p>"
    return f"<div class='ft-heatmap'><table><tr><th>student</th>{head}</tr>{''.join(lines)}</table></div>"


def timeline_frame(points: list[queries.TimelinePoint]) -> pd.DataFrame:
    """One line per learner and skill: the mastery estimate after each answer, hint or finished problem.

    The x axis counts that practice (1, 2, 3...) rather than clock time: a lesson's answers come
    seconds apart and lessons days apart, so a time axis squeezes lines into a wall or labels
    milliseconds. The time of each point is in its tooltip.
    """
    series = [f"{p.username} · {skill_name(p.skill_id)}" for p in points]
    seen: Counter[str] = Counter()
    order = []
    for name in series:
        seen[name] += 1
        order.append(seen[name])
    return pd.DataFrame(
        {
            "practice": order,
            "mastery": [p.p_mastery for p in points],
            "learner": series,
            "time (UTC)": [f"{p.at:%Y-%m-%d %H:%M}" for p in points],
        }
    )


def read_roster_file(path: str) -> str:
    """The uploaded roster's text, shown in the box so the teacher sees what will be imported."""
    data = Path(path).read_bytes()
    if len(data) > MAX_ROSTER_BYTES:
        raise gr.Error(
            f"That file is too big for a roster (the limit is {MAX_ROSTER_BYTES // 1_000_000} MB)."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise gr.Error(
            "That file is not UTF-8 text; save the roster as 'CSV UTF-8' and try again."
        ) from error


def gradebook_file(db: Database, class_id: int) -> str:
    """The gradebook CSV written to a temporary file, for the download button."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    with tempfile.NamedTemporaryFile("w", suffix=".csv", prefix=f"gradebook-{stamp}-", delete=False) as out:
        out.write(export_gradebook(db, class_id=class_id))
    return out.name


def errors_frame(patterns: list[queries.ErrorPattern]) -> pd.DataFrame:
    """The most common rejected steps, in the words the student saw (not the verifier's verdict codes)."""
    words = {verdict: described for verdict, (_, _, described) in VERDICTS.items()}
    rows = [
        [skill_name(p.skill_id), words.get(p.verdict, p.verdict), p.message, p.count, p.example]
        for p in patterns
    ]
    return pd.DataFrame(rows, columns=ERROR_COLUMNS)
