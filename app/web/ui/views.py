"""How attempts and steps look on screen, shared by the student and teacher pages."""

from __future__ import annotations

from html import escape

import pandas as pd

from app.services.tutoring import ProblemView, StepResult
from app.services.web_queries import AttemptDetail, AttemptSummary, StepLine
from tutor.parse import parse_math, to_latex
from tutor.problems import SKILLS

ATTEMPT_COLUMNS = ["#", "learner", "skill", "level", "problem", "status", "steps", "hints", "started"]
# Room for each header on one line (narrow columns broke "learner" into "learne / r").
ATTEMPT_WIDTHS = ["5%", "9%", "15%", "7%", "27%", "10%", "7%", "7%", "13%"]
# What each verifier verdict looks like: (symbol, css class, words).
VERDICTS = {
    "equivalent": ("✓", "ft-ok", "correct"),
    "implied": ("✓", "ft-ok", "follows"),
    "invalid": ("✗", "ft-bad", "not right"),
    "unverifiable": ("?", "ft-unsure", "could not check"),
    "unparsable": ("?", "ft-unsure", "could not read"),
}


def skill_name(skill_id: str) -> str:
    """The name people read ("Two-step equations"), not the id; a skill no longer offered keeps its id."""
    return SKILLS[skill_id].name if skill_id in SKILLS else skill_id


def math_of(text: str) -> str:
    """The learner's text as inline math when it parses, else as typed (in a code span)."""
    try:
        return f"${to_latex(parse_math(text))}$"
    except (ValueError, TypeError):  # MathSyntaxError is a ValueError
        return "`" + text.replace("`", "'") + "`"


def preview_markdown(text: str) -> str:
    """The live preview under the step box: what the tutor understood, or why it could not read it."""
    if not text.strip():
        return "_Your step will appear here as math while you type._"
    try:
        return f"I read: $${to_latex(parse_math(text))}$$"
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


def attempt_markdown(detail: AttemptDetail) -> str:
    """A whole attempt for the teacher's drill-down."""
    summary = detail.summary
    status = summary.status.replace("_", " ")
    lines = [
        f"**{escape(summary.username)}** · {skill_name(summary.skill_id)} · "
        f"level {summary.difficulty} · {status}",
        "",
        f"$${detail.latex}$$",
        "",
        *(step_markdown(step) for step in detail.steps),
    ]
    if not detail.steps:
        lines.append("_No steps yet._")
    if detail.hints:
        lines += ["", "**Hints given**", *(f"- {escape(hint)}" for hint in detail.hints)]
    return "\n".join(lines)


def attempts_table(attempts: list[AttemptSummary]) -> pd.DataFrame:
    rows = [
        [
            a.id,
            a.username,
            skill_name(a.skill_id),
            a.difficulty,
            a.prompt,
            a.status.replace("_", " "),
            a.steps,
            a.hints,
            a.started_at.strftime("%Y-%m-%d %H:%M"),
        ]
        for a in attempts
    ]
    return pd.DataFrame(rows, columns=ATTEMPT_COLUMNS)


def problem_markdown(view: ProblemView) -> str:
    return f"**{skill_name(view.skill_id)}** · level {view.difficulty}\n\n{view.prompt}\n\n$${view.latex}$$"


def worked_so_far(detail: AttemptDetail) -> str:
    if not detail.steps:
        return "_Write your first step below. Each step is checked as soon as you send it._"
    return "**Worked so far**\n\n" + "\n".join(step_markdown(step) for step in detail.steps)


def feedback_markdown(result: StepResult) -> str:
    if result.solved:
        return "**Solved!** Your mastery is updated on the Progress tab. Press *Next problem* for another."
    # The verifier's message is on the step's line just above; here, what to do next.
    if result.accepted:
        return "✓ **Good step.** Write your next line."
    if result.verdict in ("unparsable", "unverifiable"):
        return "? **I could not check that line.** See why above, then write it another way."
    return "✗ **Not quite.** See why above; fix the line and check it again, or ask for a hint."
