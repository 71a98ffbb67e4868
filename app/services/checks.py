"""The services' one door to the checking pools: SymPy work runs there, never on a request thread.

A check that could not finish (no free process in time, or its CPU budget spent) decided nothing, so it
becomes :class:`TryAgain` and the caller stores nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from app.services.errors import TryAgain
from app.settings import Settings
from tutor import checking
from tutor.sandbox import DeadlineExceeded

T = TypeVar("T")

CHECK_UNFINISHED = (
    "I couldn't finish checking that just now, so nothing was saved. Please try again in a moment; "
    "if it keeps happening, write the line more simply."
)


def checked(function: Callable[..., T], *args: Any, user_id: int | None = None,
            pool_name: str = checking.INTERACTIVE) -> T:  # fmt: skip
    """``function(*args)`` in a checking process, shared fairly between users; TryAgain if unfinished."""
    try:
        return checking.run(function, *args, pool_name=pool_name, key=user_id)
    except DeadlineExceeded as error:
        raise TryAgain(CHECK_UNFINISHED) from error


def pool_settings(settings: Settings, name: str) -> checking.PoolSettings:
    """The app's settings for the pool ``name``; unset sizes follow the CPU cores."""
    default = checking.default_settings(name)
    interactive = name == checking.INTERACTIVE
    processes = settings.check_processes if interactive else settings.batch_check_processes
    return dataclasses.replace(
        default,
        processes=processes or default.processes,
        per_user=settings.check_per_user,
        cpu_seconds=settings.check_cpu_seconds,
        wait_seconds=settings.check_wait_seconds if interactive else default.wait_seconds,
    )


def start_pools(settings: Settings, *names: str, warm: bool = True) -> None:
    """Size the named pools from the settings and, with ``warm``, wait until their processes take work:
    called before the web server accepts requests and before a worker takes tasks."""
    for name in names:
        checking.configure(name, pool_settings(settings, name))
    if warm:
        checking.warm(*names)
