"""Problems written by teachers, stored beside the generated ones and worked the same way.

A problem may have no start (a word problem: only its final answer is known); the learner's final
answer is then checked by the answer checker, and their lines against each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Problem, Skill, User
from app.services.errors import InvalidInput, NotFound, PermissionDenied
from tutor.answers import unreadable_answer
from tutor.forms import FormError, parse_form
from tutor.parse import MathSyntaxError, parse_math, typed_latex
from tutor.problems.problem import KINDS
from tutor.problems.problem import Problem as TutorProblem

MAX_TEXT = 2000
MAX_SUBJECT = 64


@dataclass(frozen=True)
class ProblemDraft:
    """A problem as a teacher wrote it, before it is stored."""

    skill_id: str
    difficulty: int
    kind: str
    prompt: str
    start: str  # "" for none
    answer: str
    form: str = "equivalent"
    subject: str | None = None  # an imported problem's subject in its set (MATH-500's "Algebra")


def add_problem(
    db: Database,
    *,
    author_id: int,
    skill_id: str,
    difficulty: int,
    kind: str,
    prompt: str,
    start: str,
    answer: str,
    form: str = "equivalent",
) -> int:
    """Store a teacher's problem and return its id; the start (if any) must be readable math, the answer
    readable by the answer checker, and ``form`` the form the learner's final answer must have
    (``simplified``, ``factored``, ``solved:x``…)."""
    draft = ProblemDraft(skill_id, difficulty, kind, prompt, start, answer, form)
    return add_problems(db, author_id=author_id, problems=[draft])[0]


@dataclass(frozen=True)
class AuthoredProblem:
    id: int
    skill_id: str
    difficulty: int
    prompt: str
    start: str
    subject: str | None = None


def kind_of(start: str, answer: str = "") -> str:
    """A teacher's problem's kind, read from its start: an equation is solved, all else simplified.
    With no start, from its answer: an equation such as x = 5 is solved, a value evaluated."""
    if not start.strip():
        return "solve" if "=" in answer else "evaluate"
    return "solve" if "=" in start else "simplify"


def author_problems(db: Database, *, author_id: int) -> list[AuthoredProblem]:
    """The problems this teacher wrote or imported, newest first."""
    query = select(Problem).where(Problem.author_id == author_id).order_by(Problem.id.desc())
    with db.transaction() as session:
        rows = session.scalars(query)
        return [AuthoredProblem(p.id, p.skill_id, p.difficulty, p.prompt, p.start, p.subject) for p in rows]


def add_problems(db: Database, *, author_id: int, problems: list[ProblemDraft]) -> list[int]:
    """Store several of a teacher's problems in one transaction (all or none); their ids in order."""
    forms = [check_draft(draft) for draft in problems]
    with db.transaction() as session:
        for skill_id in {draft.skill_id for draft in problems}:
            _check_author(session, author_id, skill_id)
        rows = [
            Problem(
                skill_id=d.skill_id, difficulty=d.difficulty, seed=None, source="authored", kind=d.kind,
                prompt=d.prompt.strip(), latex=_latex(d.start), start=d.start.strip(),
                answer=d.answer.strip(), form=form, subject=d.subject, author_id=author_id,
            )
            for d, form in zip(problems, forms, strict=True)
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def as_tutor_problem(draft: ProblemDraft) -> TutorProblem:
    """The domain's view of a checked draft (no seed yet; 0 stands in, as for stored authored problems)."""
    form = check_draft(draft)
    return TutorProblem(draft.skill_id, draft.difficulty, 0, draft.kind, draft.prompt.strip(),
                        _latex(draft.start), draft.start.strip(), draft.answer.strip(), form)


def _latex(start: str) -> str:
    return typed_latex(start) if start.strip() else ""


def check_draft(draft: ProblemDraft) -> str:
    """Refuse a draft that cannot be stored (``InvalidInput``, in words); return its answer form."""
    _check_problem(draft.difficulty, draft.kind, draft.prompt, draft.start, draft.answer)
    if draft.subject is not None and not 1 <= len(draft.subject) <= MAX_SUBJECT:
        raise InvalidInput(f"the subject must be 1-{MAX_SUBJECT} characters")
    try:
        return str(parse_form(draft.form))
    except FormError as error:
        raise InvalidInput(str(error)) from error


def _check_problem(difficulty: int, kind: str, prompt: str, start: str, answer: str) -> None:
    if isinstance(difficulty, bool) or not isinstance(difficulty, int) or not 1 <= difficulty <= 5:
        raise InvalidInput(f"difficulty must be a whole number from 1 to 5, not {difficulty!r}")
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(sorted(KINDS))}, not {kind!r}")
    for name, text in (("prompt", prompt), ("answer", answer)):
        if not text.strip() or len(text) > MAX_TEXT:
            raise InvalidInput(f"the {name} must be 1-{MAX_TEXT} characters")
    if len(start) > MAX_TEXT:
        raise InvalidInput(f"the start must be at most {MAX_TEXT} characters")
    if start.strip():
        try:
            parse_math(start)
        except MathSyntaxError as error:
            raise InvalidInput(f"the start is not readable math: {error}") from error
    if reason := unreadable_answer(answer):  # a name (\text{Evelyn}) is read too: it is compared as text
        raise InvalidInput(reason)


def _check_author(session: Session, author_id: int, skill_id: str) -> None:
    author = session.get(User, author_id)
    if author is None:
        raise NotFound(f"there is no user with id {author_id}")
    if author.role not in ("teacher", "admin"):
        raise PermissionDenied("only teachers and admins can write problems")
    if session.get(Skill, skill_id) is None:
        raise NotFound(f"there is no skill {skill_id!r}")
