"""What every Gradio page shares: the theme, math rendering, the signed-in user, and user-facing errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from html import escape

import gradio as gr

from app.db import Database
from app.services.errors import ServiceError
from app.services.users import UserInfo
from app.web.auth import RateLimited, signed_in_user

THEME = gr.themes.Soft(primary_hue="indigo", secondary_hue="slate", radius_size="lg")
# Gradio renders LaTeX itself (KaTeX is bundled with it), so math works offline.
MATH = [
    {"left": "$$", "right": "$$", "display": True},
    {"left": "$", "right": "$", "display": False},
    {"left": "\\(", "right": "\\)", "display": False},
    {"left": "\\[", "right": "\\]", "display": True},
]


def signed_in(db: Database, request: gr.Request, role: str) -> UserInfo:
    """The user making this call, checked again on every call (the cookie may have expired)."""
    user = signed_in_user(db, request)
    if user is None:
        raise gr.Error("Your login has expired. Please sign in again.")
    if user.role != role:
        raise gr.Error(f"This page is for the {role} role.")
    return user


@contextmanager
def shown_to_user() -> Iterator[None]:
    """Turn refusals meant for the user (a wrong id, a rate limit...) into a Gradio error message."""
    try:
        yield
    except (ServiceError, RateLimited) as error:
        raise gr.Error(str(error)) from error


def header(title: str) -> gr.HTML:
    """The top bar; ``greeting`` fills in the user's name when the page loads."""
    return gr.HTML(f"<div class='ft-header'><span class='ft-brand'>FlashTutor</span> {escape(title)}</div>")


def greeting(title: str, user: UserInfo) -> str:
    return (
        "<div class='ft-header'>"
        f"<span class='ft-brand'>FlashTutor</span><span class='ft-title'>{escape(title)}</span>"
        f"<span class='ft-user'>{escape(user.display_name)} · <a href='/logout'>Sign out</a></span>"
        "</div>"
    )
