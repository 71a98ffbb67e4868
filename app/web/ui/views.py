"""How attempts and steps look on screen, shared by the student and teacher pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from zoneinfo import ZoneInfo

import pandas as pd

from app.services.help import HintView
from app.services.tutor_replies import KeptReply
from app.services.tutoring import ProblemView, StepResult
from app.services.web_queries import AttemptDetail, AttemptSummary, StepLine
from tutor.parse import typed_latex
from tutor.problems import SKILLS
from tutor.verdicts import UNCHECKED, StepStatus

SCHOOL_DEFAULT = ZoneInfo("UTC")  # pages are built with the school's zone from the settings
ATTEMPT_COLUMNS = ["#", "learner", "skill", "level", "problem", "status", "steps", "hints", "started"]
# Room for each header on one line (narrow columns broke "learner" into "learne / r").
# What each verdict looks like: (symbol, css class, words). A verdict read back from the database is
# text, and finds its entry all the same (a StepStatus member equals its value).
VERDICTS: dict[StepStatus, tuple[str, str, str]] = {
    StepStatus.EQUIVALENT: ("✓", "ft-ok", "correct"),
    StepStatus.IMPLIED: ("✓", "ft-ok", "follows"),
    StepStatus.INVALID: ("✗", "ft-bad", "not right"),
    StepStatus.UNVERIFIABLE: ("?", "ft-unsure", "could not check"),
    StepStatus.UNPARSABLE: ("?", "ft-unsure", "could not read"),
}


def skill_name(skill_id: str) -> str:
    """The name people read ("Two-step equations"), not the id; a skill no longer offered keeps its id."""
    return SKILLS[skill_id].name if skill_id in SKILLS else skill_id


def math_of(text: str) -> str:
    """The learner's text as inline math exactly as typed (``42 + 8``, not ``50``) when it parses, else as
    typed in a code span."""
    try:
        return f"${typed_latex(text)}$"
    except (ValueError, TypeError):  # MathSyntaxError is a ValueError
        return "`" + text.replace("`", "'") + "`"


def preview_markdown(text: str) -> str:
    """The live preview under the step box: what the tutor read, as typed (a preview that worked out
    ``42 + 8`` would give the answer away), or why it could not read it."""
    if not text.strip():
        return "_Your step will appear here as math while you type._"
    try:
        return f"I read: $${typed_latex(text)}$$"
    except (ValueError, TypeError) as error:  # MathSyntaxError is a ValueError
        return f"<span class='ft-unsure'>⚠ {escape(str(error))}</span>"


def verdict_badge(verdict: str, *, final: bool = False) -> str:
    symbol, css, words = VERDICTS.get(verdict, ("?", "ft-unsure", verdict))
    if final:
        words = "solved"
    return f"<span class='{css}'>{symbol} {words}</span>"


def step_markdown(step: StepLine) -> str:
    """One line of the worked-so-far list: the step as math, its verdict and the verifier's message."""
    message = f" — {escape(step.message)}" if step.message else ""
    badge = verdict_badge(step.verdict, final=step.is_final_answer)
    return f"{step.position}. {math_of(step.text)} {badge}{message}"


def attempt_markdown(detail: AttemptDetail, replies: Sequence[KeptReply] = ()) -> str:
    """A whole attempt for the teacher's drill-down, with the tutor model's replies and its reasoning."""
    summary = detail.summary
    status = summary.status.replace("_", " ")
    shown = " · **worked solution shown**" if summary.solution_shown else ""
    lines = [
        f"**{escape(summary.username)}** · {skill_name(summary.skill_id)} · "
        f"level {summary.difficulty} · {status}{shown}",
        "",
        *([f"$${detail.latex}$$", ""] if detail.latex else []),
        *(step_markdown(step) for step in detail.steps),
    ]
    if not detail.steps:
        lines.append("_No steps yet._")
    if detail.hints:
        lines += ["", "**Hints given**", *(f"- {escape(hint)}" for hint in detail.hints)]
    if replies:
        lines += ["", "**The AI tutor's replies** (its reasoning is for teachers; students never see it)"]
        lines += [reply_markdown(reply) for reply in replies]
    return "\n".join(lines)


REPLY_VERDICTS = {
    "checked": "its math checked",
    "flagged": "a line that did not check out was hidden",
    "solver": "the step checker answered instead",
}


def reply_markdown(reply: KeptReply) -> str:
    """One model reply: what the learner asked, what they were shown, and the model's reasoning."""
    verdict = REPLY_VERDICTS.get(reply.verification, reply.verification)
    if reply.status == "failed":
        verdict = f"the model could not answer: {reply.error or 'no reason given'}"
    asked = f"**Asked:** {escape(reply.question)} · _{escape(verdict)}_"
    parts = ["", asked, "", "Shown to the student:", "", _quoted(reply.shown)]
    if reply.trace:
        parts += ["", "The model's reasoning:", "", _quoted(reply.trace)]
    return "\n".join(parts)


def _quoted(text: str) -> str:
    return "\n".join(f"> {escape(line)}" for line in text.splitlines() or [""])


def local_time(when: datetime, zone: ZoneInfo) -> str:
    """A stored time (UTC; naive ones from SQLite are UTC too) as the school's wall-clock time."""
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    return f"{aware.astimezone(zone):%Y-%m-%d %H:%M}"


def attempts_table(attempts: list[AttemptSummary], zone: ZoneInfo = SCHOOL_DEFAULT) -> pd.DataFrame:
    rows = [
        [
            a.id,
            a.username,
            skill_name(a.skill_id),
            a.difficulty,
            a.prompt,
            a.status.replace("_", " ") + (" (solution shown)" if a.solution_shown else ""),
            a.steps,
            a.hints,
            local_time(a.started_at, zone),
        ]
        for a in attempts
    ]
    return pd.DataFrame(rows, columns=[*ATTEMPT_COLUMNS[:-1], f"started ({zone.key})"])


def frame_html(frame: pd.DataFrame, *, caption: str, empty: str, attempt_links: bool = False) -> str:
    """A table as plain HTML: every cell escaped, a caption, scoped headers, and a sentence when empty.

    Gradio's data grid shows an empty grid headed "1 2 3", wraps narrow columns letter by letter on a
    phone and fails WCAG's rules for grids; a plain table reads well everywhere (it scrolls sideways).

    With ``attempt_links`` the first column holds attempt ids (``attempts_table``): each row carries its
    attempt as ``data-attempt`` and its id is a link, which the teacher page's ``OPEN_ATTEMPT_JS`` turns
    into opening that attempt's drill-down (a click anywhere on the row, or the link by keyboard)."""
    if frame.empty:
        return f"<p class='ft-empty'>{escape(empty)}</p>"
    head = "".join(f"<th scope='col'>{escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        _row_html([escape(str(v)) for v in row], attempt_links) for row in frame.itertuples(index=False)
    )
    return (
        f"<div class='ft-table' tabindex='0' role='region' aria-label='{escape(caption, quote=True)}'>"
        f"<table><caption>{escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _row_html(cells: list[str], attempt_links: bool) -> str:
    if not attempt_links or not cells[0].isdecimal():
        return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"
    attempt = cells[0]
    link = (f"<a href='#attempt' class='ft-open-attempt' data-attempt='{attempt}' "
            f"aria-label='Open attempt {attempt} step by step'>{attempt}</a>")
    return (f"<tr class='ft-attempt-row' data-attempt='{attempt}'><td>{link}</td>"
            + "".join(f"<td>{cell}</td>" for cell in cells[1:]) + "</tr>")


def problem_markdown(view: ProblemView) -> str:
    """The problem once: its instruction in words, then its math typeset (not the same math twice)."""
    words, start = view.prompt.rstrip(), view.start.strip()
    if start and words.endswith(start):  # "Solve for x: 3x - 4 = 11" shows "Solve for x:" above the math
        words = words[: -len(start)].rstrip()
    math = f"\n\n$${view.latex}$$" if view.latex else ""  # a word problem has no start to typeset
    return f"**{skill_name(view.skill_id)}** · level {view.difficulty}\n\n{words}{math}"


def worked_so_far(detail: AttemptDetail) -> str:
    if not detail.steps:
        return "_Write your first step below. Each step is checked as soon as you send it._"
    return "**Worked so far**\n\n" + "\n".join(step_markdown(step) for step in detail.steps)


def hints_markdown(given: list[str], latest: HintView) -> str:
    """The hints given on this problem, and, at the top of the ladder, that no further hint exists."""
    lines = [f"**Hint {n}.** {escape(text)}" for n, text in enumerate(given, start=1)]
    if latest.repeated:
        lines.append("_That was already the last hint for this line, so it is not given or counted again. "
                     "Write the step, or press **Show solution**._")
    elif latest.last:
        lines.append("_That is the last hint for this line: it is the step itself. "
                     "Write it, or press **Show solution** for every step._")
    return "\n\n".join(lines)


def feedback_markdown(result: StepResult) -> str:
    if result.solved:
        return "**Solved!** Your mastery is updated on the Progress tab. Press *Next problem* for another."
    # The verifier's message is on the step's line just above; here, what to do next.
    if result.accepted and result.verdict == "unverifiable":  # the first line of a problem with no start
        return "**Taken as your starting line.** Write your next line; it is checked against this one."
    if result.accepted:
        return "✓ **Good step.** Write your next line."
    if result.verdict in UNCHECKED:
        return "? **I could not check that line.** See why above, then write it another way."
    return "✗ **Not quite.** See why above; fix the line and check it again, or ask for a hint."
