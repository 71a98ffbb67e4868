"""How the teacher dashboard shows its data: heatmap, timeline, tables, and the files it reads and writes."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from html import escape
from zoneinfo import ZoneInfo

import gradio as gr
import pandas as pd

from app.db import Database
from app.services import web_queries as queries
from app.services.assignments import AssignmentReport
from app.services.progress import class_gradebook
from app.web.gradio_files import uploaded_file
from app.web.ui.views import SCHOOL_DEFAULT, VERDICTS, local_time, skill_name

ERROR_COLUMNS = ["skill", "verdict", "what went wrong", "times", "example step"]
ASSIGNMENT_COLUMNS = ["title", "skill", "problems", "due", "completed", "average score"]
MAX_ROSTER_BYTES = 2_000_000


def parse_due_date(text: str, zone: ZoneInfo = SCHOOL_DEFAULT) -> datetime | None:
    """A due date typed as YYYY-MM-DD, due at the end of that day in the school's time zone (stored in
    UTC); empty means no due date."""
    if not text.strip():
        return None
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d")
    except ValueError as error:
        raise gr.Error(f"Write the due date as YYYY-MM-DD, for example 2026-12-01 (not {text!r}).") from error
    return day.replace(hour=23, minute=59, tzinfo=zone).astimezone(UTC)


def assignments_frame(reports: list[AssignmentReport], zone: ZoneInfo = SCHOOL_DEFAULT) -> pd.DataFrame:
    """Each assignment with how many students finished it and their average share solved."""
    rows = []
    for report in reports:
        a = report.assignment
        score = "" if report.mean_score is None else f"{report.mean_score:.0%}"
        rows.append([
            a.title, "problem set" if a.problem_set else skill_name(a.skill_id), a.problem_count,
            _day(a.due_at, zone), f"{report.completed} of {len(report.students)} students", score,
        ])
    return pd.DataFrame(rows, columns=ASSIGNMENT_COLUMNS)


def _day(when: datetime | None, zone: ZoneInfo) -> str:
    return local_time(when, zone)[:10] if when else ""


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


def timeline_frame(points: list[queries.TimelinePoint], zone: ZoneInfo = SCHOOL_DEFAULT) -> pd.DataFrame:
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
            "time": [f"{local_time(p.at, zone)} ({zone.key})" for p in points],
        }
    )


def read_roster_file(path: str | None) -> str:
    """The uploaded roster's text, shown in the box so the teacher sees what will be imported.

    The file (it may hold first passwords) is deleted once read: the box is its only copy.
    """
    upload = uploaded_file(path)
    try:
        data = upload.read_bytes()
    finally:
        upload.unlink(missing_ok=True)
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


def gradebook_url(class_id: int) -> str:
    """Where the download button fetches the gradebook: the API route that checks the teacher."""
    return f"/api/classes/{class_id}/gradebook.csv"


def errors_frame(patterns: list[queries.ErrorPattern]) -> pd.DataFrame:
    """The most common rejected steps, in the words the student saw (not the verifier's verdict codes)."""
    words = {verdict: described for verdict, (_, _, described) in VERDICTS.items()}
    rows = [
        [skill_name(p.skill_id), words.get(p.verdict, p.verdict), p.message, p.count, p.example]
        for p in patterns
    ]
    return pd.DataFrame(rows, columns=ERROR_COLUMNS)
