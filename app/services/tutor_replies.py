"""The tutor model's replies to students, kept with the model's reasoning for teachers and admins.

A learner sees only the checked reply. The model's reasoning trace (its ``<think>`` block) holds the
whole solution, so it is never shown to them: it is stored with the reply (``ModelRequest.trace``) and
read back only by the student's teachers and by admins (``attempt_replies``), in the attempt's
drill-down. Replies are kept when a model is configured; the solver's own answers have no trace.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app.db import Database
from app.models import Attempt, ModelRequest, User
from app.models.base import utcnow
from app.services.errors import NotFound, PermissionDenied
from app.services.tutor_model import ReplyDraft, TutorModel, TutorReply
from app.services.web_queries import teaches_student
from tutor.problems import Problem

log = logging.getLogger(__name__)
ASK, EXPLAIN = "ask", "explain"


@dataclass(frozen=True)
class KeptReply:
    """One model reply to a student, as a teacher or admin reads it."""

    id: int
    purpose: str  # "ask" or "explain"
    question: str  # what the learner asked
    shown: str  # what the learner was shown
    verification: str  # "checked", "flagged" (a line hidden) or "solver" (the solver answered instead)
    status: str  # "done"; "failed" when the model could not answer
    trace: str  # the model's reasoning ("" when it gave none)
    error: str | None
    created_at: datetime


def ask_stream(
    db: Database,
    tutor: TutorModel,
    *,
    user_id: int,
    attempt_id: int,
    problem: Problem,
    current: str,
    question: str,
    history: tuple[tuple[str, str], ...] = (),
) -> Iterator[ReplyDraft]:
    """``tutor.ask_stream``, keeping the finished reply and its trace (a stopped one is not kept)."""
    last = None
    with closing(tutor.ask_stream(problem, current, question, history)) as drafts:  # Stop cancels it
        for draft in drafts:
            last = draft
            yield draft
    if last is not None and last.reply is not None and tutor.client is not None:
        _keep_quietly(db, user_id, attempt_id, ASK, question, last.reply)


def explain_step(
    db: Database,
    tutor: TutorModel,
    *,
    user_id: int,
    attempt_id: int,
    problem: Problem,
    before: str,
    after: str,
) -> TutorReply:
    """``tutor.explain_step``, keeping the reply and its trace."""
    reply = tutor.explain_step(problem, before, after)
    if tutor.client is not None:
        _keep_quietly(db, user_id, attempt_id, EXPLAIN, f"Explain my step ${after}$", reply)
    return reply


def _keep_quietly(
    db: Database, user_id: int, attempt_id: int, purpose: str, question: str, reply: TutorReply
) -> None:
    """Keep a reply the learner already has; a database that fails now costs the trace, not the reply."""
    try:
        keep_reply(
            db, user_id=user_id, attempt_id=attempt_id, purpose=purpose, question=question, reply=reply
        )
    except SQLAlchemyError:
        log.exception("could not keep the tutor's reply on attempt %s", attempt_id)


def keep_reply(
    db: Database, *, user_id: int, attempt_id: int, purpose: str, question: str, reply: TutorReply
) -> int:
    """Store one reply to the learner's own attempt; -> its id."""
    answered = reply.source == "model" or bool(reply.trace)  # the model replied (it may have been replaced)
    verification = ("flagged" if reply.flagged else "checked") if reply.source == "model" else "solver"
    with db.transaction() as session:
        attempt = session.get(Attempt, attempt_id)
        if attempt is None or attempt.user_id != user_id:
            raise NotFound(f"you have no attempt with id {attempt_id}")
        record = ModelRequest(
            purpose=purpose,
            user_id=user_id,
            attempt_id=attempt_id,
            status="done" if answered else "failed",
            prompt=question,
            output=reply.text,
            verification=verification,
            trace=reply.trace or None,
            error=None if answered else reply.notice,
            finished_at=utcnow(),
        )
        session.add(record)
        session.flush()
        return record.id


def attempt_replies(db: Database, *, viewer: int, attempt_id: int) -> list[KeptReply]:
    """The model's replies on an attempt, oldest first, with their traces: for the student's teachers
    and for admins only (``PermissionDenied`` for anyone else, the student included)."""
    with db.transaction() as session:
        attempt = session.get(Attempt, attempt_id)
        if attempt is None:
            raise NotFound(f"there is no attempt with id {attempt_id}")
        reader = session.get(User, viewer)
        allowed = reader is not None and (
            reader.role == "admin"
            or (reader.role == "teacher" and teaches_student(session, viewer, attempt.user_id))
        )
        if not allowed:
            raise PermissionDenied("the model's reasoning is for the student's teachers and for admins")
        query = (
            select(ModelRequest)
            .where(ModelRequest.attempt_id == attempt_id, ModelRequest.purpose.in_((ASK, EXPLAIN)))
            .order_by(ModelRequest.id)
        )
        return [_kept(record) for record in session.scalars(query)]


def _kept(r: ModelRequest) -> KeptReply:
    return KeptReply(
        r.id, r.purpose, r.prompt, r.output or "", r.verification or "", r.status, r.trace or "", r.error,
        r.created_at,
    )  # fmt: skip
