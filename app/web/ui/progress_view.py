"""How a learner's progress looks: mastery per skill (chart and numbers) and the headline counts."""

from __future__ import annotations

from html import escape

import pandas as pd

from app.services.progress import Progress
from app.services.web_queries import AttemptSummary


def mastery_frame(mine: Progress) -> pd.DataFrame:
    return pd.DataFrame(
        {"skill": [s.name for s in mine.skills], "mastery": [s.p_mastery for s in mine.skills]}
    )


def mastery_table(mine: Progress) -> str:
    """Mastery per skill as numbers too (a chart alone is hard to read on a phone or a screen reader)."""
    if not mine.skills:
        return "<p>No practice yet: your mastery of each skill will appear here.</p>"
    rows = "".join(
        f"<tr><td>{escape(s.name)}</td><td>{s.p_mastery:.0%}</td><td>{'✓ mastered' * s.mastered}</td></tr>"
        for s in mine.skills
    )
    return f"<table><tr><th>skill</th><th>mastery</th><th></th></tr>{rows}</table>"


def stats_markdown(mine: Progress, recent: list[AttemptSummary]) -> str:
    finished = [a for a in recent if a.status != "in_progress"]
    streak = next((i for i, a in enumerate(finished) if a.status != "solved"), len(finished))
    mastered = sum(s.mastered for s in mine.skills)
    return (
        f"**{mine.problems_solved} solved** of {mine.problems_started} started · "
        f"**{streak}** solved in a row · {counted(mine.steps, 'step')} · {counted(mine.hints, 'hint')} · "
        f"{counted(mastered, 'skill')} mastered"
    )


def counted(number: int, noun: str) -> str:
    """ "1 hint", "2 hints": the count with its noun in the right number."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
