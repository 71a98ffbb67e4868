"""The login page: the one page anyone may open. A plain HTML form, so it works without JavaScript."""

from __future__ import annotations

from datetime import timedelta
from html import escape
from string import Template

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.services.errors import AuthenticationFailed
from app.services.users import end_login_session, start_login_session
from app.web import STATIC_DIR
from app.web.auth import (
    HOME,
    SESSION_COOKIE,
    RateLimited,
    page_roles,
    request_token,
    sign_in,
    signed_in_user,
)

PAGE = Template((STATIC_DIR / "login.html").read_text())

router = APIRouter()


def _login_page(
    *, error: str = "", username: str = "", next_path: str = "", code: int = 200, headers: dict | None = None
) -> HTMLResponse:
    html = PAGE.substitute(error=escape(error), username=escape(username), next=escape(next_path))
    return HTMLResponse(html, status_code=code, headers=headers)


def _landing(role: str, next_path: str) -> str:
    """Where to go after login: the requested page if it is one of this role's pages, else home.

    Only local page paths are accepted, so a crafted ``next`` cannot send the user to another site.
    """
    roles = page_roles(next_path) if next_path.startswith("/") and not next_path.startswith("//") else None
    return next_path if roles and role in roles else HOME[role]


@router.get("/", include_in_schema=False)
def root(request: Request) -> Response:
    user = signed_in_user(request.app.state.db, request)
    return RedirectResponse(HOME[user.role] if user else "/login", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/login", include_in_schema=False)
def login_form(request: Request, next: str = "") -> Response:
    user = signed_in_user(request.app.state.db, request)
    if user is not None:
        return RedirectResponse(_landing(user.role, next), status_code=status.HTTP_303_SEE_OTHER)
    return _login_page(next_path=next)


@router.post("/login", include_in_schema=False)
def login(
    request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("")
) -> Response:
    state = request.app.state
    try:
        user = sign_in(request, username, password)
    except RateLimited as error:
        headers = {"Retry-After": f"{error.retry_after:.0f}"}
        return _login_page(error=str(error), username=username, next_path=next, code=429, headers=headers)
    except AuthenticationFailed as error:
        return _login_page(error=str(error), username=username, next_path=next, code=401)
    ttl = timedelta(minutes=state.settings.session_ttl_minutes)
    token = start_login_session(state.db, user_id=user.id, ttl=ttl)
    response = RedirectResponse(_landing(user.role, next), status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout", include_in_schema=False)  # POST only: a link or image on any site cannot sign you out
def logout(request: Request) -> Response:
    token = request_token(request)
    if token:
        end_login_session(request.app.state.db, token=token)
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response
