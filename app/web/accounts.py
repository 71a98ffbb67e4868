"""Routes that get people back into their accounts: password resets and a class's printable login cards.

Both change passwords, so both are POSTs (the same-origin check covers them) and their answers are
never cached: a password appears once, on the card or in the reply, and nowhere else.
"""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from app.services.credentials import ClassCards, issue_login_cards, reset_password
from app.web.auth import TeacherOrAdmin

router = APIRouter(tags=["accounts"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class PasswordIn(BaseModel):
    password: str | None = Field(default=None, max_length=1024, description="Empty: a generated one.")


class PasswordOut(BaseModel):
    username: str
    password: str


@router.post("/api/users/{user_id}/password", response_model=PasswordOut)
def new_password(
    user_id: int, body: PasswordIn, request: Request, response: Response, user: TeacherOrAdmin
) -> PasswordOut:
    """Reset a password: teachers for students in their classes, admins for anyone."""
    card = reset_password(request.app.state.db, actor_id=user.id, user_id=user_id, new_password=body.password)
    response.headers.update(NO_STORE)
    return PasswordOut(username=card.username, password=card.password)


@router.post("/api/classes/{class_id}/login-cards", response_class=HTMLResponse)
def login_cards(
    class_id: int,
    request: Request,
    user: TeacherOrAdmin,
    student_ids: Annotated[list[int] | None, Form()] = None,
) -> HTMLResponse:
    """A printable page of login cards, giving each student on it a new password."""
    db = request.app.state.db
    cards = issue_login_cards(db, actor_id=user.id, class_id=class_id, student_ids=student_ids)
    sign_in = str(request.base_url).rstrip("/") + "/login"
    return HTMLResponse(cards_page(cards, sign_in), headers=NO_STORE)


def cards_page(cards: ClassCards, sign_in: str) -> str:
    """One page of cut-out cards: name, where to sign in, username and the new password."""
    items = "".join(
        "<section class='card'>"
        f"<h2>{escape(card.display_name)}</h2>"
        f"<p>Sign in at <b>{escape(sign_in)}</b></p>"
        f"<p>Username <code>{escape(card.username)}</code></p>"
        f"<p>Password <code>{escape(card.password)}</code></p>"
        "</section>"
        for card in cards.cards
    )
    empty = "" if cards.cards else "<p>This class has no students yet.</p>"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Login cards · {escape(cards.class_name)}</title>"
        "<link rel='stylesheet' href='/static/login-cards.css'></head><body>"
        f"<header><h1>Login cards · {escape(cards.class_name)}</h1>"
        "<p class='note'>Each card's password is new: the old ones no longer work. Print this page "
        "(Ctrl+P or ⌘P) and cut along the lines.</p></header>"
        f"<main>{items}{empty}</main></body></html>"
    )
