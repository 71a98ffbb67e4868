"""Who is calling: login cookies and bearer tokens, role checks, and the per-user model rate limit.

A login is a random token (see ``app.services.users``) carried in an HTTP-only cookie by browsers and
as ``Authorization: Bearer <token>`` by API clients, so an OpenAI-style client uses its token as the
API key. Every request resolves the token again on the server; nothing the browser says about its
role is trusted.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.concurrency import run_in_threadpool

from app.db import Database
from app.models import ROLES
from app.services.errors import AuthenticationFailed
from app.services.users import UserInfo, user_for_token

SESSION_COOKIE = "flashtutor_session"
# The page each role lands on after login, and the roles allowed under each page prefix.
HOME = {"student": "/student/", "teacher": "/teacher/", "admin": "/admin/"}
PAGE_ROLES = {
    "/student": ("student",),
    "/teacher": ("teacher",),
    "/admin": ("admin",),
    "/api/docs": ROLES,
    "/api/openapi.json": ROLES,
}
PUBLIC_PREFIXES = ("/login", "/static/", "/health", "/ready", "/favicon.ico")
DATABASE_AWAY = "the database cannot be reached right now; please try again in a moment"


class RateLimited(Exception):
    """Too many requests in the last minute; ``retry_after`` says how many seconds to wait."""

    def __init__(self, what: str, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many {what}; please wait {retry_after:.0f} s and try again")


class RateLimiter:
    """A sliding one-minute window of events per key: model requests per user id, or failed sign-ins
    per username (only failures count there, so a user who signs in often is never locked out)."""

    def __init__(self, per_minute: int, what: str, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError(f"a rate limit must allow at least 1 request a minute, got {per_minute}")
        self.per_minute = per_minute
        self.what = what
        self._clock = clock
        self._recent: dict[int | str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: int | str) -> None:
        """Raise ``RateLimited`` when ``key`` has used up this minute's budget (counts nothing)."""
        with self._lock:
            self._check(key, self._clock())

    def record(self, key: int | str) -> None:
        """Count one event for ``key``."""
        with self._lock:
            self._recent.setdefault(key, deque()).append(self._clock())

    def take(self, key: int | str) -> None:
        """Check and count in one step: the event is counted only if it is allowed."""
        now = self._clock()
        with self._lock:
            self._check(key, now)
            self._recent.setdefault(key, deque()).append(now)

    def _check(self, key: int | str, now: float) -> None:
        recent = self._recent.get(key)
        if not recent:
            return
        while recent and recent[0] <= now - 60.0:
            recent.popleft()
        if len(recent) >= self.per_minute:
            raise RateLimited(self.what, retry_after=max(1.0, recent[0] + 60.0 - now))


def request_token(request: Request) -> str | None:
    """The login token a request carries: the bearer token if any, else the session cookie."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.cookies.get(SESSION_COOKIE)


def signed_in_user(db: Database, request: Request) -> UserInfo | None:
    """The user behind the request's token, or None when there is none or it expired."""
    token = request_token(request)
    if not token:
        return None
    try:
        return user_for_token(db, token=token)
    except AuthenticationFailed:
        return None


def require_user(request: Request) -> UserInfo:
    """FastAPI dependency: the signed-in user, or 401."""
    user = signed_in_user(request.app.state.db, request)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "sign in first (or send your token as 'Authorization: Bearer <token>')",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def require_role(*roles: str) -> Callable[[Request], UserInfo]:
    """FastAPI dependency factory: the signed-in user if their role is one of ``roles``, else 403."""

    def dependency(request: Request) -> UserInfo:
        user = require_user(request)
        if user.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the {' or '.join(roles)} role")
        return user

    return dependency


def page_roles(path: str) -> tuple[str, ...] | None:
    """The roles allowed on a UI page path, or None when the path is not under a page."""
    for prefix, roles in PAGE_ROLES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return roles
    return None


async def guard_pages(request: Request, call_next: Callable) -> Response:
    """Middleware: pages (and their Gradio calls) need a login with the page's role.

    The JSON API checks its own dependencies, so it answers in JSON rather than with redirects.
    """
    path = request.url.path
    roles = page_roles(path)
    if roles is None:
        return await call_next(request)
    # The lookup reads the database; off the event loop, so a busy database never stalls the server.
    try:
        user = await run_in_threadpool(signed_in_user, request.app.state.db, request)
    except (OperationalError, InterfaceError):  # middleware runs outside the app's exception handlers
        return JSONResponse({"detail": DATABASE_AWAY}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
    if user is None:
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            return RedirectResponse(f"/login?next={quote(path)}", status_code=status.HTTP_303_SEE_OTHER)
        return JSONResponse({"detail": "sign in first"}, status_code=status.HTTP_401_UNAUTHORIZED)
    if user.role not in roles:
        detail = f"this page is for the {' or '.join(roles)} role"
        return JSONResponse({"detail": detail}, status_code=status.HTTP_403_FORBIDDEN)
    return await call_next(request)


# Route parameter types: ``user: Student`` makes a route refuse anyone but a signed-in student.
SignedIn = Annotated[UserInfo, Depends(require_user)]
Student = Annotated[UserInfo, Depends(require_role("student"))]
Teacher = Annotated[UserInfo, Depends(require_role("teacher"))]
