"""The JSON API: health, login for API clients, and the service layer's main calls.

Routes are thin: they check the caller's role, call one service, and return its dataclass as JSON.
Refusals from the services become HTTP errors with the service's own words (see ``error_handlers``).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field
from redis import RedisError
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError

from app.roster import export_gradebook
from app.services import assignments as assignment_service
from app.services import tutoring, web_queries
from app.services.curriculum import next_problem
from app.services.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from app.services.help import request_hint
from app.services.progress import progress
from app.services.users import authenticate, start_login_session
from app.web.auth import DATABASE_AWAY, RateLimited, SignedIn, Student, Teacher
from app.worker.requests import GenerationFailed, Overloaded, WorkerError

router = APIRouter()


class Credentials(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class StepIn(BaseModel):
    text: str = Field(max_length=1000, description="The step, in plain text or LaTeX.")
    client_request_id: str = Field(min_length=1, max_length=64, description="Makes a retried request safe.")
    time_taken_ms: int = Field(default=0, ge=0)


class SessionIn(BaseModel):
    assignment_id: int | None = None


class NextIn(BaseModel):
    skill_id: str | None = Field(default=None, max_length=64, description="A skill id; none: adaptive.")


class AssignmentIn(BaseModel):
    title: str = Field(max_length=200)
    skill_id: str
    difficulty: int | None = Field(default=None, description="1-5; empty: chosen per learner.")
    problem_count: int
    due_at: datetime | None = None


@router.get("/health", tags=["health"])
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/ready", tags=["health"])
def ready(request: Request) -> JSONResponse:
    """Ready to serve: the database answers and is migrated; says whether a model worker is live."""
    state = request.app.state
    try:
        with state.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = state.db.current_revision()
    except Exception as error:  # any failure here means "not ready", and the reason is the answer
        return JSONResponse(
            {"status": "unavailable", "database": str(error)}, status.HTTP_503_SERVICE_UNAVAILABLE
        )
    if revision is None:
        body = {"status": "unavailable", "database": "not migrated: run `flashtutor db upgrade`"}
        return JSONResponse(body, status.HTTP_503_SERVICE_UNAVAILABLE)
    try:
        workers: int | str = len(state.client.workers())
    except RedisError as error:  # the symbolic tutor still works; only model features wait for the broker
        workers = f"unknown: the broker cannot be reached ({error})"
    return JSONResponse({"status": "ok", "database": revision, "model_workers": workers})


@router.post("/api/login", tags=["auth"])
def api_login(credentials: Credentials, request: Request) -> dict[str, Any]:
    """A bearer token for API clients (also usable as an OpenAI client's ``api_key``)."""
    state = request.app.state
    key = credentials.username.strip().lower()
    state.login_limiter.check(key)
    try:
        user = authenticate(state.db, username=credentials.username, password=credentials.password)
    except AuthenticationFailed:
        state.login_limiter.record(key)
        raise
    ttl = timedelta(minutes=state.settings.session_ttl_minutes)
    token = start_login_session(state.db, user_id=user.id, ttl=ttl)
    return {"token": token, "expires_in": int(ttl.total_seconds()), "user": asdict(user)}


@router.get("/api/me", tags=["auth"])
def me(user: SignedIn) -> dict[str, Any]:
    return asdict(user)


@router.get("/api/users/{user_id}/progress", tags=["progress"])
def user_progress(user_id: int, request: Request, user: SignedIn) -> dict[str, Any]:
    """A learner's progress: the learner themself, or a teacher of one of their classes."""
    web_queries.check_can_see_student(request.app.state.db, viewer=user.id, student_id=user_id)
    return asdict(progress(request.app.state.db, user_id=user_id))


@router.post("/api/sessions", tags=["practice"])
def start_session(body: SessionIn, request: Request, user: Student) -> dict[str, Any]:
    """Start practising: adaptive, or on one of the student's assignments."""
    return asdict(
        tutoring.start_session(request.app.state.db, user_id=user.id, assignment_id=body.assignment_id)
    )


@router.post("/api/sessions/{session_id}/next", tags=["practice"])
def next_in_session(
    session_id: int, request: Request, user: Student, body: NextIn | None = None
) -> dict[str, Any]:
    """The session's open problem, or a new one on ``skill_id`` (if given) or the learner model's pick."""
    skill_id = body.skill_id if body else None
    db = request.app.state.db
    return asdict(next_problem(db, session_id=session_id, user_id=user.id, skill_id=skill_id))


@router.get("/api/attempts/{attempt_id}", tags=["practice"])
def attempt(attempt_id: int, request: Request, user: SignedIn) -> dict[str, Any]:
    """An attempt step by step: the learner's own, or a student's in one of the teacher's classes."""
    return asdict(web_queries.attempt_detail(request.app.state.db, viewer=user.id, attempt_id=attempt_id))


@router.post("/api/attempts/{attempt_id}/steps", tags=["practice"])
def submit_step(attempt_id: int, step: StepIn, request: Request, user: Student) -> dict:
    result = tutoring.submit_step(
        request.app.state.db,
        attempt_id=attempt_id,
        user_id=user.id,
        text=step.text,
        client_request_id=step.client_request_id,
        time_taken_ms=step.time_taken_ms,
    )
    return asdict(result)


@router.post("/api/attempts/{attempt_id}/hint", tags=["practice"])
def hint(attempt_id: int, request: Request, user: Student) -> dict[str, Any]:
    """The next rung of the hint ladder (nudge, specific hint, the next step) on the learner's attempt."""
    return asdict(request_hint(request.app.state.db, attempt_id=attempt_id, user_id=user.id))


@router.post("/api/attempts/{attempt_id}/finish", tags=["practice"])
def finish(attempt_id: int, request: Request, user: Student) -> dict[str, Any]:
    return asdict(tutoring.finish_problem(request.app.state.db, attempt_id=attempt_id, user_id=user.id))


@router.get("/api/classes", tags=["teaching"])
def classes(request: Request, user: Teacher) -> list[dict[str, Any]]:
    return [asdict(c) for c in web_queries.teacher_classes(request.app.state.db, teacher_id=user.id)]


@router.get("/api/classes/{class_id}/attempts", tags=["teaching"])
def class_attempts(class_id: int, request: Request, user: Teacher) -> list[dict[str, Any]]:
    db = request.app.state.db
    return [asdict(a) for a in web_queries.class_attempts(db, teacher_id=user.id, class_id=class_id)]


@router.get("/api/classes/{class_id}/assignments", tags=["teaching"])
def assignments(class_id: int, request: Request, user: Teacher) -> list[dict[str, Any]]:
    db = request.app.state.db
    listed = assignment_service.class_assignments(db, teacher_id=user.id, class_id=class_id)
    return [asdict(a) for a in listed]


@router.post("/api/classes/{class_id}/assignments", tags=["teaching"])
def create_assignment(class_id: int, body: AssignmentIn, request: Request, user: Teacher) -> dict[str, Any]:
    created = assignment_service.create_assignment(
        request.app.state.db, teacher_id=user.id, class_id=class_id, **body.model_dump()
    )
    return asdict(created)


@router.get("/api/me/assignments", tags=["practice"])
def my_assignments(request: Request, user: Student) -> list[dict[str, Any]]:
    listed = assignment_service.student_assignments(request.app.state.db, student_id=user.id)
    return [asdict(a) for a in listed]


@router.get("/api/classes/{class_id}/gradebook.csv", tags=["teaching"], response_class=PlainTextResponse)
def gradebook(class_id: int, request: Request, user: Teacher) -> PlainTextResponse:
    db = request.app.state.db
    web_queries.check_teaches(db, teacher_id=user.id, class_id=class_id)
    headers = {"Content-Disposition": f'attachment; filename="gradebook-{class_id}.csv"'}
    return PlainTextResponse(export_gradebook(db, class_id=class_id), media_type="text/csv", headers=headers)


# What each refusal means over HTTP. Order matters: the first matching class wins.
_STATUS_OF = (
    (AuthenticationFailed, status.HTTP_401_UNAUTHORIZED),
    (PermissionDenied, status.HTTP_403_FORBIDDEN),
    (NotFound, status.HTTP_404_NOT_FOUND),
    (Conflict, status.HTTP_409_CONFLICT),
    (InvalidInput, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (ServiceError, status.HTTP_400_BAD_REQUEST),
    (Overloaded, status.HTTP_503_SERVICE_UNAVAILABLE),
    (GenerationFailed, status.HTTP_502_BAD_GATEWAY),
    (WorkerError, status.HTTP_503_SERVICE_UNAVAILABLE),
)


async def _refusal(_request: Request, error: Exception) -> JSONResponse:
    if isinstance(error, RateLimited):
        headers = {"Retry-After": f"{error.retry_after:.0f}"}
        return JSONResponse({"detail": str(error)}, status.HTTP_429_TOO_MANY_REQUESTS, headers=headers)
    code = next(code for kind, code in _STATUS_OF if isinstance(error, kind))
    return JSONResponse({"detail": str(error)}, code)


async def _database_away(_request: Request, _error: Exception) -> JSONResponse:
    # The connection pool reconnects by itself (pre-ping) once the database is back; nothing to reset.
    headers = {"Retry-After": "5"}
    return JSONResponse({"detail": DATABASE_AWAY}, status.HTTP_503_SERVICE_UNAVAILABLE, headers=headers)


async def _invalid_request(_request: Request, error: RequestValidationError) -> Response:
    # The errors echo the input back; ASCII escapes keep text with unpaired surrogates (valid JSON,
    # invalid UTF-8) encodable, where FastAPI's own handler would crash with a 500.
    body = json.dumps({"detail": jsonable_encoder(error.errors())}, ensure_ascii=True)
    return Response(body, status.HTTP_422_UNPROCESSABLE_CONTENT, media_type="application/json")


async def _not_unicode(_request: Request, _error: Exception) -> JSONResponse:
    detail = "the text contains characters that are not valid Unicode (unpaired surrogates); please retype it"
    return JSONResponse({"detail": detail}, status.HTTP_400_BAD_REQUEST)


error_handlers = {
    RequestValidationError: _invalid_request,
    UnicodeEncodeError: _not_unicode,
    ServiceError: _refusal,
    WorkerError: _refusal,
    RateLimited: _refusal,
    OperationalError: _database_away,
    InterfaceError: _database_away,
}
