"""The curriculum in the database, and the next problem chosen for a learner by the learner model."""

from __future__ import annotations

import random
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database, insert_if_absent
from app.models import Assignment, Attempt, Problem, Skill, TutoringSession
from app.services.assignment_progress import assignment_attempts, problem_set, progress_of
from app.services.checks import checked
from app.services.errors import Conflict, InvalidInput
from app.services.mastery import learner_state
from app.services.tutoring import ProblemView, load_session, open_attempt, problem_view
from tutor import learner
from tutor.problems import SKILLS, generate_problem

SEED_RANGE = 2**31
_DRAWS_FOR_A_NEW_PROBLEM = 50


class AssignmentComplete(Conflict):
    """The learner has finished every problem of the assignment; ``str()`` is the completion message."""


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
    An assignment serves each problem once, resumes its unfinished problem from any session, and
    raises ``AssignmentComplete`` once all its problems are finished. A skipped problem is finished
    (``tutoring.skip_problem``): it is not served again, and it counts as not solved.
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
            return _assignment_problem(session, tutoring, assignment, state, rng)
        if skill_id is not None:
            level = learner.choose_level(state.get(skill_id).ability)
        else:
            prerequisites = {key: skill.prerequisites for key, skill in SKILLS.items()}
            skill_id, level = learner.choose_next(state, list(SKILLS), prerequisites, rng=rng)
        problem = _stored_problem(session, skill_id, level, rng.randrange(SEED_RANGE))
        return open_attempt(session, tutoring, problem)


def _assignment_problem(
    session: Session, tutoring: TutoringSession, assignment: Assignment, state: learner.LearnerState,
    rng: random.Random,
) -> ProblemView:
    attempts = assignment_attempts(session, assignment.id, tutoring.user_id)
    unfinished = next((a for a in attempts if a.status == "in_progress"), None)
    if unfinished is not None:  # resumed from any session of this assignment, so a reload never skips it
        return problem_view(unfinished, session.get_one(Problem, unfinished.problem_id))
    progress = progress_of(session, assignment, [tutoring.user_id])[tutoring.user_id]
    if progress.complete:
        raise AssignmentComplete(progress.completion_message(assignment.title))
    seen = {a.problem_id for a in attempts}
    chosen = problem_set(session, assignment.id)
    if chosen:
        problem = session.get_one(Problem, next(p for p in chosen if p not in seen))
    else:
        problem = _unseen_problem(session, assignment, state, rng, seen)
    attempt = Attempt(session_id=tutoring.id, user_id=tutoring.user_id, problem_id=problem.id,
                      current_state=problem.start, status="in_progress", step_count=0, hint_count=0)
    session.add(attempt)
    session.flush()
    return problem_view(attempt, problem)


def _unseen_problem(
    session: Session, assignment: Assignment, state: learner.LearnerState, rng: random.Random, seen: set[int]
) -> Problem:
    """A generated problem of the assignment's skill that this learner has not had in it yet."""
    skill_id = assignment.skill_id
    for _ in range(_DRAWS_FOR_A_NEW_PROBLEM):
        level = assignment.difficulty or learner.choose_level(state.get(skill_id).ability)
        problem = _stored_problem(session, skill_id, level, rng.randrange(SEED_RANGE))
        if problem.id not in seen:
            return problem
    raise Conflict("could not find a new problem for this assignment; please try again")


def _stored_problem(session: Session, skill_id: str, difficulty: int, seed: int) -> Problem:
    """The row of a generated problem, written the first time anyone draws it."""
    sync_skill(session, skill_id)
    query = select(Problem).where(
        Problem.skill_id == skill_id, Problem.difficulty == difficulty, Problem.seed == seed
    )
    problem = session.scalar(query)
    if problem is not None:
        return problem
    generated = checked(generate_problem, skill_id, difficulty, seed)  # SymPy: in the checking pool
    insert_if_absent(
        session, Problem, skill_id=skill_id, difficulty=difficulty, seed=seed, source="generated",
        kind=generated.kind, prompt=generated.prompt, latex=generated.latex, start=generated.start,
        answer=generated.answer, form=generated.form,
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

