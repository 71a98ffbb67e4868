"""Who is calling: login cookies and bearer tokens, role checks, and the per-user model rate limit.

A login is a random token (see ``app.services.users``) carried in an HTTP-only cookie by browsers and
as ``Authorization: Bearer <token>`` by API clients, so an OpenAI-style client uses its token as the
API key. Every request resolves the token again on the server; nothing the browser says about its
role is trusted.
"""

from __future__ import annotations

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
from app.services.users import UserInfo, authenticate, user_for_token
from app.web.throttle import LoginThrottle
from app.web.throttle import RateLimited as RateLimited  # the pages import these two from here
from app.web.throttle import RateLimiter as RateLimiter

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


def client_address(request: Request) -> str:
    """The caller's IP address (behind a proxy, uvicorn takes it from X-Forwarded-For of trusted hosts)."""
    return request.client.host if request.client else "unknown"


def sign_in(request: Request, username: str, password: str) -> UserInfo:
    """The user these credentials belong to, with failures throttled per address and per account.

    Raises ``RateLimited`` (nothing checked) while the caller must wait, else ``AuthenticationFailed``.
    """
    throttle: LoginThrottle = request.app.state.login_throttle
    address = client_address(request)
    throttle.check(address=address, username=username)
    try:
        user = authenticate(request.app.state.db, username=username, password=password)
    except AuthenticationFailed:
        throttle.failed(address=address, username=username)
        raise
    throttle.succeeded(username=username)
    return user


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
Admin = Annotated[UserInfo, Depends(require_role("admin"))]
TeacherOrAdmin = Annotated[UserInfo, Depends(require_role("teacher", "admin"))]
