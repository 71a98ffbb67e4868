"""The checking pools of this process: one for learners' interactive checks, one for batch grading.

Every SymPy computation behind a learner's request goes through :func:`run`, so none runs on a request
thread and each is limited by its own CPU time (:mod:`tutor.sandbox`). Batch grading has a pool of its
own, so a long job never makes a learner wait. Inside a checking process :func:`run` calls the function
directly: the budget of the call that got there already applies.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from tutor.sandbox import DeadlinePool, inside_worker

INTERACTIVE, BATCH = "interactive", "batch"
CPU_SECONDS = 3.0


def cores() -> int:
    """The CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class PoolSettings:
    """How one pool is sized and how long its calls may take."""

    processes: int
    per_user: int | None = None  # processes one user may hold at once; None: half the pool (at least 1)
    cpu_seconds: float = CPU_SECONDS  # the CPU time one check may use
    wait_seconds: float = 10.0  # how long a check may wait for a free process before "try again"
    wall_seconds: float = 60.0  # a process silent this long is presumed stuck and replaced

    def __post_init__(self) -> None:
        if self.processes < 1:
            raise ValueError(f"a checking pool needs at least one process, got {self.processes}")
        if min(self.cpu_seconds, self.wait_seconds, self.wall_seconds) <= 0:
            raise ValueError("checking times must be positive")


def default_settings(name: str) -> PoolSettings:
    if name == BATCH:  # batch items may wait: nobody is watching each one
        return PoolSettings(processes=max(1, cores() // 2), wait_seconds=300.0)
    return PoolSettings(processes=cores())


_lock = threading.Lock()
_pools: dict[str, tuple[PoolSettings, DeadlinePool]] = {}


def configure(name: str, settings: PoolSettings) -> None:
    """Size the pool ``name``; a pool already running with other settings is replaced."""
    with _lock:
        current = _pools.get(name)
        if current is not None and current[0] == settings:
            return
        _pools[name] = (settings, _new_pool(name, settings))
    if current is not None:
        current[1].close()


def pool(name: str = INTERACTIVE) -> DeadlinePool:
    return _entry(name)[1]


def warm(*names: str) -> None:
    """Start the pools' processes now and wait until they take work (before serving requests)."""
    for name in names or (INTERACTIVE,):
        pool(name).warm()


def close_all() -> None:
    with _lock:
        entries = list(_pools.values())
        _pools.clear()
    for _, running in entries:
        running.close()


def run(
    function: Callable[..., Any],
    *args: Any,
    pool_name: str = INTERACTIVE,
    key: Hashable = None,
    cpu_seconds: float | None = None,
) -> Any:
    """``function(*args)`` in a checking process under its CPU budget; raises
    :class:`tutor.sandbox.DeadlineExceeded` when it could not finish, which decides nothing."""
    if inside_worker():
        return function(*args)
    settings, running = _entry(pool_name)
    return running.run(function, args, cpu_seconds or settings.cpu_seconds, key=key)


def _entry(name: str) -> tuple[PoolSettings, DeadlinePool]:
    with _lock:
        if name not in _pools:
            settings = default_settings(name)
            _pools[name] = (settings, _new_pool(name, settings))
        return _pools[name]


def _new_pool(name: str, settings: PoolSettings) -> DeadlinePool:
    return DeadlinePool(
        settings.processes,
        per_key=settings.per_user,
        wait_seconds=settings.wait_seconds,
        wall_seconds=settings.wall_seconds,
        warm_up=f"{__name__}:exercise",
        name=f"flashtutor-check-{name}",
    )


def exercise() -> None:
    """Import and run the checking code once, so a fresh process's first real check is not slow."""
    from tutor.verify import check_answer, check_step

    check_step("2x + 3 = 7", "2x = 4")
    check_step("(x+1)^2", "x^2 + 2x + 1")
    check_answer("x = 2", "x=2")
