"""How a learner's progress looks: mastery per skill (a bar and its number) and the headline counts."""

from __future__ import annotations

from html import escape

from app.services.progress import Progress, SkillProgress
from app.services.web_queries import AttemptSummary
from tutor.learner import MASTERY_RUN


def mastery_table(mine: Progress) -> str:
    """Mastery per skill, strongest first: a bar to see at a glance and the number a screen reader reads."""
    if not mine.skills:
        return "<p>No practice yet: your mastery of each skill will appear here.</p>"
    rows = "".join(
        f"<tr><th scope='row'>{escape(s.name)}</th>"
        f"<td><span class='ft-meter' aria-hidden='true'><span style='width: {s.p_mastery:.0%}'></span></span>"
        f" {s.p_mastery:.0%}</td><td>{_standing(s)}</td></tr>"
        for s in sorted(mine.skills, key=lambda s: -s.p_mastery)
    )
    head = "<tr><th scope='col'>skill</th><th scope='col'>mastery</th><th scope='col'>standing</th></tr>"
    return f"<table><caption>Mastery per skill</caption>{head}{rows}</table>"


def _standing(skill: SkillProgress) -> str:
    """Mastered, or how far the run of unaided solves that mastery also needs has got."""
    if skill.mastered:
        return "✓ mastered"
    return f"{min(skill.solved_in_a_row, MASTERY_RUN)} of {MASTERY_RUN} solved in a row without help"


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
