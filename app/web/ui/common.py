"""What every Gradio page shares: the theme, math rendering, the signed-in user, and user-facing errors."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape
from typing import Any

import gradio as gr

from app.db import Database
from app.services.errors import ServiceError
from app.services.users import UserInfo
from app.web.auth import RateLimited, signed_in_user

# Gradio's Soft theme, with the text and button colours darkened to meet WCAG AA contrast (4.5:1 for
# text; its defaults measure 2.4-4.47:1 on white), as the accessibility tests check with axe-core.
THEME = gr.themes.Soft(primary_hue="indigo", secondary_hue="slate", radius_size="lg").set(
    color_accent="*primary_700",
    block_label_text_color="*primary_700",
    block_title_text_color="*primary_700",
    body_text_color_subdued="*neutral_600",
    button_primary_background_fill="*primary_700",
    button_primary_background_fill_hover="*primary_800",
    button_primary_text_color="white",
    checkbox_label_background_fill_selected="*primary_700",
    checkbox_background_color_selected="*primary_700",
    checkbox_border_color_selected="*primary_700",
)
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


def refusals_as_notes(outputs: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a callback so that an expected refusal ("get a problem first", "this problem is
    finished", a rate limit) is a friendly note and leaves its ``outputs`` as they were: not a red error
    on every output, not a wiped box, not a traceback in the log. Bugs still surface as errors."""

    def decorate(callback: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(callback)  # Gradio reads the signature (gr.Request) through the wrapper
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return callback(*args, **kwargs)
            except (gr.Error, ServiceError, RateLimited) as refusal:
                gr.Warning(refusal.message if isinstance(refusal, gr.Error) else str(refusal))
                return gr.skip() if outputs == 1 else tuple(gr.skip() for _ in range(outputs))

        return call

    return decorate


def header(title: str) -> gr.HTML:
    """The top bar; ``greeting`` fills in the user's name when the page loads."""
    return gr.HTML(f"<div class='ft-header'><span class='ft-brand'>FlashTutor</span> {escape(title)}</div>")


def greeting(title: str, user: UserInfo) -> str:
    return (
        "<div class='ft-header'>"
        f"<span class='ft-brand'>FlashTutor</span><span class='ft-title'>{escape(title)}</span>"
        f"<span class='ft-user'>{escape(user.display_name)} · <form class='ft-signout' method='post' "
        "action='/logout'><button type='submit'>Sign out</button></form></span>"
        "</div>"
    )
