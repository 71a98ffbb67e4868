"""Problems written by teachers, stored beside the generated ones and worked the same way."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.db import Database
from app.models import Problem, Skill, User
from app.services.errors import InvalidInput, NotFound, PermissionDenied
from tutor.parse import MathSyntaxError, parse_math, to_latex
from tutor.problems.problem import KINDS

MAX_TEXT = 2000


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
) -> int:
    """Store a teacher's problem and return its id; the start and answer must be readable math."""
    _check_problem(difficulty, kind, prompt, start, answer)
    with db.transaction() as session:
        _check_author(session, author_id, skill_id)
        problem = Problem(
            skill_id=skill_id, difficulty=difficulty, seed=None, source="authored", kind=kind,
            prompt=prompt.strip(), latex=to_latex(parse_math(start)), start=start.strip(),
            answer=answer.strip(), author_id=author_id,
        )
        session.add(problem)
        session.flush()
        return problem.id


def _check_problem(difficulty: int, kind: str, prompt: str, start: str, answer: str) -> None:
    if isinstance(difficulty, bool) or not isinstance(difficulty, int) or not 1 <= difficulty <= 5:
        raise InvalidInput(f"difficulty must be a whole number from 1 to 5, not {difficulty!r}")
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(sorted(KINDS))}, not {kind!r}")
    for name, text in (("prompt", prompt), ("start", start), ("answer", answer)):
        if not text.strip() or len(text) > MAX_TEXT:
            raise InvalidInput(f"the {name} must be 1-{MAX_TEXT} characters")
    for name, text in (("start", start), ("answer", answer)):
        try:
            parse_math(text)
        except MathSyntaxError as error:
            raise InvalidInput(f"the {name} is not readable math: {error}") from error


def _check_author(session: Session, author_id: int, skill_id: str) -> None:
    author = session.get(User, author_id)
    if author is None:
        raise NotFound(f"there is no user with id {author_id}")
    if author.role not in ("teacher", "admin"):
        raise PermissionDenied("only teachers and admins can write problems")
    if session.get(Skill, skill_id) is None:
        raise NotFound(f"there is no skill {skill_id!r}")
