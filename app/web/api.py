"""The JSON API: health, login for API clients, and the service layer's main calls.

Routes are thin: they check the caller's role, call one service, and return its dataclass as JSON.
Refusals from the services become HTTP errors with the service's own words (see ``error_handlers``).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field
from redis import RedisError
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError

from app.contract import GenerationFailed, Overloaded, WorkerError
from app.roster import export_gradebook
from app.services import assessment, authoring, tutor_replies, tutoring, web_queries
from app.services import assignments as assignment_service
from app.services.classes import set_log_base
from app.services.curriculum import next_problem
from app.services.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ServiceError,
    TryAgain,
)
from app.services.help import request_hint
from app.services.problem_import import ProblemImportError, import_problems
from app.services.progress import progress
from app.services.users import start_login_session
from app.web.auth import (
    DATABASE_AWAY,
    Admin,
    RateLimited,
    SignedIn,
    Student,
    Teacher,
    TeacherOrAdmin,
    sign_in,
)
from tutor.workability import check_workable

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


class ProblemIn(BaseModel):
    prompt: str = Field(max_length=2000)
    start: str = Field(default="", max_length=2000,
                       description="The first line of math, e.g. 2x + 3 = 11; empty for a word problem.")
    answer: str = Field(max_length=2000)
    form: str = Field(default="equivalent", max_length=64, description="e.g. simplified, solved:x.")
    skill_id: str = Field(max_length=64)
    difficulty: int


class ProblemImportIn(BaseModel):
    text: str = Field(description="The file's contents.")
    filename: str = Field(max_length=200, description="Ends in .csv or .jsonl.")
    skill_id: str | None = Field(default=None, max_length=64, description="For rows that name none.")
    difficulty: int | None = Field(default=None, description="For rows that give none.")


class ConventionsIn(BaseModel):
    log_base: Literal["10", "e"] = Field(description='What a bare log means: "10" or "e" (natural).')


class ProblemSetIn(BaseModel):
    title: str = Field(max_length=200)
    problem_ids: list[int] = Field(max_length=50)
    due_at: datetime | None = None


@router.get("/health", tags=["health"])
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/ready", tags=["health"])
def ready(request: Request) -> JSONResponse:
    """Ready to serve: the database answers and is migrated. Public, so it says only ok or not; the
    reasons are on the admins' ``/api/admin/status``."""
    ok = readiness(request.app.state)["status"] == "ok"
    return JSONResponse({"status": "ok" if ok else "unavailable"}, 200 if ok else 503)


@router.get("/api/admin/status", tags=["health"])
def admin_status(request: Request, _user: Admin) -> dict[str, Any]:
    """What ``/ready`` leaves out: the database's revision or error, and the live model workers."""
    return readiness(request.app.state)


def readiness(state: Any) -> dict[str, Any]:
    """The database's state and the number of model workers, with the reasons when something is away."""
    try:
        with state.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = state.db.current_revision()
    except Exception as error:  # any failure here means "not ready", and the reason is the answer
        return {"status": "unavailable", "database": str(error)}
    if revision is None:
        return {"status": "unavailable", "database": "not migrated: run `flashtutor db upgrade`"}
    try:
        workers: int | str = len(state.client.workers())
    except RedisError as error:  # the symbolic tutor still works; only model features wait for the broker
        workers = f"unknown: the broker cannot be reached ({error})"
    return {"status": "ok", "database": revision, "model_workers": workers}


@router.post("/api/login", tags=["auth"])
def api_login(credentials: Credentials, request: Request) -> dict[str, Any]:
    """A bearer token for API clients (also usable as an OpenAI client's ``api_key``)."""
    state = request.app.state
    user = sign_in(request, credentials.username, credentials.password)
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


@router.get("/api/attempts/{attempt_id}/tutor-replies", tags=["teaching"])
def tutor_replies_of_attempt(attempt_id: int, request: Request, user: TeacherOrAdmin) -> list[dict[str, Any]]:
    """The tutor model's replies on an attempt with its reasoning traces: for the student's teachers and
    admins only (students see the checked replies in the page, never the reasoning)."""
    kept = tutor_replies.attempt_replies(request.app.state.db, viewer=user.id, attempt_id=attempt_id)
    return [asdict(reply) for reply in kept]


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
    """The next rung of the hint ladder (nudge, specific hint, the next step) on the learner's attempt.

    ``last`` marks the top rung; ``repeated`` a hint already given on the attempt, not counted again. For a
    problem the solver cannot work, the hint is the model's (``source`` "model", its math checked, never
    the answer) where one is configured; without one the refusal says there are no step hints.
    """
    state = request.app.state
    given = request_hint(state.db, attempt_id=attempt_id, user_id=user.id, tutor=state.tutor_model,
                         before_model=lambda: state.model_limiter.take(user.id))
    return asdict(given)


@router.post("/api/attempts/{attempt_id}/finish", tags=["practice"])
def finish(attempt_id: int, request: Request, user: Student) -> dict[str, Any]:
    return asdict(tutoring.finish_problem(request.app.state.db, attempt_id=attempt_id, user_id=user.id))


@router.post("/api/attempts/{attempt_id}/skip", tags=["practice"])
def skip(attempt_id: int, request: Request, user: Student) -> dict[str, Any]:
    """Move on without finishing: the attempt ends "skipped" (not solved, no failure weight)."""
    return asdict(tutoring.skip_problem(request.app.state.db, attempt_id=attempt_id, user_id=user.id))


@router.get("/api/classes", tags=["teaching"])
def classes(request: Request, user: Teacher) -> list[dict[str, Any]]:
    return [asdict(c) for c in web_queries.teacher_classes(request.app.state.db, teacher_id=user.id)]


@router.put("/api/classes/{class_id}/conventions", tags=["teaching"])
def set_conventions(class_id: int, body: ConventionsIn, request: Request, user: Teacher) -> dict[str, Any]:
    """How the class's problems read notation; today: what a bare ``log`` means."""
    db = request.app.state.db
    return asdict(set_log_base(db, teacher_id=user.id, class_id=class_id, log_base=body.log_base))


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
    """The student's assignments, open ones first, each with "counter" ("2 of 5") and "complete"."""
    listed = assignment_service.student_assignments(request.app.state.db, student_id=user.id)
    return [
        {**asdict(a), "counter": a.progress.counter, "complete": a.progress.complete}
        for a in listed if a.progress is not None
    ]


@router.post("/api/classes/{class_id}/problem-sets", tags=["teaching"])
def create_problem_set(class_id: int, body: ProblemSetIn, request: Request, user: Teacher) -> dict[str, Any]:
    """Set the teacher's chosen problems, in order, as an assignment."""
    created = assignment_service.create_problem_set(
        request.app.state.db, teacher_id=user.id, class_id=class_id, **body.model_dump()
    )
    return asdict(created)


@router.get("/api/classes/{class_id}/assignment-report", tags=["teaching"])
def assignment_report(class_id: int, request: Request, user: Teacher) -> list[dict[str, Any]]:
    """Each assignment with every student's progress and score (share solved, 0-1)."""
    reports = assignment_service.class_report(request.app.state.db, teacher_id=user.id, class_id=class_id)
    return [
        {
            **asdict(r.assignment), "completed": r.completed, "mean_score": r.mean_score,
            "students": [
                {"username": s.username, "finished": s.progress.finished, "solved": s.progress.solved,
                 "score": s.progress.score, "complete": s.progress.complete}
                for s in r.students
            ],
        }
        for r in reports
    ]


@router.post("/api/problems", tags=["teaching"])
def add_problem(body: ProblemIn, request: Request, user: Teacher) -> dict[str, Any]:
    """Store a problem the teacher wrote, once the verifier agrees its answer follows from its start."""
    kind = authoring.kind_of(body.start, body.answer)
    draft = authoring.ProblemDraft(body.skill_id, body.difficulty, kind, body.prompt, body.start, body.answer,
                                   body.form)
    workable = check_workable(authoring.as_tutor_problem(draft))
    if workable.answer_follows is False:
        raise InvalidInput(workable.message)
    [problem_id] = authoring.add_problems(request.app.state.db, author_id=user.id, problems=[draft])
    return {"id": problem_id, "stepwise": workable.stepwise, "message": workable.message}


@router.post("/api/problems/import", tags=["teaching"])
def import_problem_set(body: ProblemImportIn, request: Request, user: Teacher) -> dict[str, Any]:
    """Import a CSV or JSONL problem set, all or nothing; a refusal lists every bad row in "errors"."""
    try:
        ids = import_problems(request.app.state.db, author_id=user.id, text=body.text, filename=body.filename,
                              skill_id=body.skill_id, level=body.difficulty)
    except ProblemImportError as refused:
        errors = [asdict(e) for e in refused.errors]
        return JSONResponse({"detail": str(refused), "errors": errors}, status.HTTP_422_UNPROCESSABLE_CONTENT)
    return {"ids": ids}


@router.get("/api/classes/{class_id}/gradebook.csv", tags=["teaching"], response_class=PlainTextResponse)
def gradebook(class_id: int, request: Request, user: Teacher) -> PlainTextResponse:
    db = request.app.state.db
    web_queries.check_teaches(db, teacher_id=user.id, class_id=class_id)
    headers = {"Content-Disposition": f'attachment; filename="gradebook-{class_id}.csv"'}
    return PlainTextResponse(export_gradebook(db, class_id=class_id), media_type="text/csv", headers=headers)


@router.get("/api/jobs/{job_id}/results.jsonl", tags=["assessment"], response_class=FileResponse)
def job_results(job_id: int, request: Request, user: Admin) -> FileResponse:
    """A finished assessment job's results (learners' answers): admins start jobs, only they get them."""
    state = request.app.state
    path = assessment.results_file(state.db, state.settings.results_dir, job_id)
    return FileResponse(path, media_type="application/x-ndjson", filename=path.name)


# What each refusal means over HTTP. Order matters: the first matching class wins.
_STATUS_OF = (
    (AuthenticationFailed, status.HTTP_401_UNAUTHORIZED),
    (PermissionDenied, status.HTTP_403_FORBIDDEN),
    (NotFound, status.HTTP_404_NOT_FOUND),
    (Conflict, status.HTTP_409_CONFLICT),
    (InvalidInput, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (TryAgain, status.HTTP_503_SERVICE_UNAVAILABLE),
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
    headers = {"Retry-After": "2"} if isinstance(error, TryAgain) else None
    return JSONResponse({"detail": str(error)}, code, headers=headers)


async def _database_away(_request: Request, _error: Exception) -> JSONResponse:
    # The connection pool reconnects by itself (pre-ping) once the database is back; nothing to reset.
    headers = {"Retry-After": "5"}
    return JSONResponse({"detail": DATABASE_AWAY}, status.HTTP_503_SERVICE_UNAVAILABLE, headers=headers)


async def _invalid_request(request: Request, error: RequestValidationError) -> Response:
    # Where and what, never the input: echoing it turned a 200 MB body into a 400 MB answer. ASCII
    # escapes keep a location with unpaired surrogates (valid JSON, invalid UTF-8) encodable.
    detail = [{"loc": [_short(part) for part in e["loc"]], "msg": e["msg"], "type": e["type"]}
              for e in error.errors()]  # fmt: skip
    if request.url.path.startswith("/v1/"):  # OpenAI's clients read only OpenAI's error shape
        fields = [".".join(str(part) for part in e["loc"] if part != "body") for e in detail]
        message = "; ".join(f"{field}: {e['msg']}" for field, e in zip(fields, detail, strict=True))
        error_body = {"message": message or "invalid request", "type": "invalid_request_error",
                      "param": fields[0] if fields else None, "code": None}  # fmt: skip
        payload = {"error": error_body}
        body = json.dumps(jsonable_encoder(payload), ensure_ascii=True)
        return Response(body, status.HTTP_400_BAD_REQUEST, media_type="application/json")
    body = json.dumps({"detail": jsonable_encoder(detail)}, ensure_ascii=True)
    return Response(body, status.HTTP_422_UNPROCESSABLE_CONTENT, media_type="application/json")


def _short(location: int | str) -> int | str:
    """A location part as shown: a key the client chose can be as long as the body itself."""
    return location if isinstance(location, int) or len(location) <= 64 else location[:61] + "..."


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
