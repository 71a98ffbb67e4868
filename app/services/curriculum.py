"""The curriculum in the database, and the next problem chosen for a learner by the learner model."""

from __future__ import annotations

import random
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database, insert_if_absent
from app.models import Assignment, Problem, Skill
from app.services.errors import InvalidInput
from app.services.mastery import learner_state
from app.services.tutoring import ProblemView, load_session, open_attempt
from tutor import learner
from tutor.problems import SKILLS, generate_problem

SEED_RANGE = 2**31


def sync_skills(db: Database) -> int:
    """Bring the skills table in line with ``tutor.problems.SKILLS``; returns how many rows were added."""
    with db.transaction() as session:
        return sum(sync_skill(session, skill_id) for skill_id in SKILLS)


def next_problem(
    db: Database, *, session_id: int, user_id: int, skill_id: str | None = None, seed: int | None = None
) -> ProblemView:
    """The learner's open problem in this session, or a new one.

    The skill is the session's assignment's, else ``skill_id`` (the learner's own choice), else the
    learner model's pick; the level is the assignment's or the learner model's, so practice on a chosen
    skill still fits the learner. ``seed`` fixes the choice and the problem (tests, replays).
    """
    if skill_id is not None and skill_id not in SKILLS:
        raise InvalidInput(f"there is no skill {skill_id!r}; choose one of: {', '.join(SKILLS)}")
    rng = random.Random(secrets.randbits(64) if seed is None else seed)
    with db.transaction() as session:
        tutoring = load_session(session, session_id, user_id, lock=True)
        state = learner_state(session, user_id)
        assignment = session.get(Assignment, tutoring.assignment_id) if tutoring.assignment_id else None
        if assignment is not None and skill_id not in (None, assignment.skill_id):
            raise InvalidInput("this session is for an assignment; start a new session to choose a skill")
        if assignment is not None:
            skill_id = assignment.skill_id
            level = assignment.difficulty or learner.choose_level(state.get(skill_id).ability)
        elif skill_id is not None:
            level = learner.choose_level(state.get(skill_id).ability)
        else:
            prerequisites = {key: skill.prerequisites for key, skill in SKILLS.items()}
            skill_id, level = learner.choose_next(state, list(SKILLS), prerequisites, rng=rng)
        problem = _stored_problem(session, skill_id, level, rng.randrange(SEED_RANGE))
        return open_attempt(session, tutoring, problem)


def _stored_problem(session: Session, skill_id: str, difficulty: int, seed: int) -> Problem:
    """The row of a generated problem, written the first time anyone draws it."""
    sync_skill(session, skill_id)
    query = select(Problem).where(
        Problem.skill_id == skill_id, Problem.difficulty == difficulty, Problem.seed == seed
    )
    problem = session.scalar(query)
    if problem is not None:
        return problem
    generated = generate_problem(skill_id, difficulty, seed)
    insert_if_absent(
        session, Problem, skill_id=skill_id, difficulty=difficulty, seed=seed, source="generated",
        kind=generated.kind, prompt=generated.prompt, latex=generated.latex, start=generated.start,
        answer=generated.answer,
    )
    return session.scalars(query).one()


def sync_skill(session: Session, skill_id: str) -> bool:
    """Write one skill's row inside an open transaction (problems and assignments refer to it)."""
    skill = SKILLS[skill_id]
    values = {"name": skill.name, "description": skill.description,
              "position": list(SKILLS).index(skill_id), "prerequisites": list(skill.prerequisites)}
    row = session.get(Skill, skill_id)
    if row is None:
        return insert_if_absent(session, Skill, id=skill_id, **values)
    for name, value in values.items():
        setattr(row, name, value)
    return False

