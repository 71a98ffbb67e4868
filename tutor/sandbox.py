"""Run pure checks in persistent worker processes, each call limited by its own CPU time.

SymPy's ``solveset`` and ``simplify`` can run for minutes on innocent-looking input, and a thread cannot
be interrupted, so checks run in worker processes. What limits a call is the CPU time the check itself
uses (a profiling timer in the worker), never the wall time it spent waiting for a process or for a busy
machine: a check that runs out of budget is reported as :class:`BudgetExceeded`, one that found no free
process as :class:`PoolBusy`, and neither is a verdict.

The pool is fair: one key (a learner) holds at most ``per_key`` processes, and a freed process goes to
the waiting key that holds the fewest. Processes are started ahead of need by one long-lived thread (the
death signal below is tied to the thread that started the child), each imports and exercises its code
before it takes work, and each dies with the process that owns it (``PR_SET_PDEATHSIG`` on Linux, plus a
watchdog that exits when the owner's end of a pipe closes); ``RLIMIT_CPU`` ends any that ignores its
budget.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import itertools
import logging
import math
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

WORKER_MEMORY_BYTES = 2 * 1024**3
HARD_LIMIT_GRACE_S = 2  # RLIMIT_CPU ends a worker this long after a budget its timer could not enforce
READY_TIMEOUT_S = 120.0  # a fresh worker imports SymPy: seconds on a busy machine
_RETRY_START_S = 1.0
_PR_SET_PDEATHSIG = 1


class DeadlineExceeded(TimeoutError):
    """The check did not finish, so it decided nothing; it can be asked again."""


class PoolBusy(DeadlineExceeded):
    """No checking process became free in time."""


class BudgetExceeded(DeadlineExceeded):
    """The check used up its CPU-time budget."""


class WorkerLost(DeadlineExceeded):
    """The checking process died, or went silent for far longer than any budget; it has been replaced."""


class _OutOfBudget(BaseException):
    """Raised in a worker by its CPU timer; a BaseException, so no ``except Exception`` swallows it."""


_inside_worker = False


def inside_worker() -> bool:
    """Whether this process is a checking worker (where checks run inline: the budget already applies)."""
    return _inside_worker


# -- the worker process ------------------------------------------------------------------------------
# A worker is a fresh interpreter running only this module (not multiprocessing's spawn, which would also
# import the owner's __main__: for `flashtutor serve` that is the whole web app, seconds of CPU and
# hundreds of MB per worker).
_WORKER_COMMAND = "import sys; from tutor.sandbox import _worker_main; _worker_main(sys.argv[1:])"


def _worker_main(argv: list[str]) -> None:
    connection_fd, owner_alive_fd, owner_pid, warm_up = argv
    function = None
    if warm_up:
        module_name, _, name = warm_up.partition(":")
        function = getattr(importlib.import_module(module_name), name)
    _serve(Connection(int(connection_fd)), Connection(int(owner_alive_fd)), int(owner_pid), function)


def _serve(connection: Any, owner_alive: Any, owner_pid: int, warm_up: Callable[[], None] | None) -> None:
    """Worker loop: receive ``(function, args, cpu_seconds)``, reply ``(kind, value)``."""
    global _inside_worker
    _inside_worker = True
    _die_with_owner(owner_pid, owner_alive)
    _limit_memory()
    signal.signal(signal.SIGPROF, _on_budget_spent)
    if warm_up is not None:
        warm_up()
    connection.send(("ready", os.getpid()))
    while True:
        try:
            function, args, cpu_seconds = connection.recv()
        except (EOFError, OSError):
            return
        try:
            reply = _call(function, args, cpu_seconds)
        except _OutOfBudget:  # the timer fired after the call returned but before it was disarmed
            reply = ("budget", cpu_seconds)
        try:
            connection.send(reply)
        except Exception as error:  # an unpicklable result or error
            connection.send(("error", RuntimeError(repr(error))))


def _call(function: Callable[..., Any], args: tuple[Any, ...], cpu_seconds: float) -> tuple[str, Any]:
    started = time.process_time()
    _limit_cpu(started + cpu_seconds + HARD_LIMIT_GRACE_S)
    # Fires after cpu_seconds of this process's CPU time, then every 50 ms until disarmed, in case some
    # library code catches the first one.
    signal.setitimer(signal.ITIMER_PROF, cpu_seconds, 0.05)
    try:
        return "ok", function(*args)
    except _OutOfBudget:
        return "budget", time.process_time() - started
    except Exception as error:
        return "error", error
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


def _on_budget_spent(_signum: int, _frame: Any) -> None:
    raise _OutOfBudget


def _die_with_owner(owner_pid: int, owner_alive: Any) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (AttributeError, OSError):
        pass  # not Linux: the watchdog below still ends the worker
    if os.getppid() != owner_pid:  # the owner died before the death signal was set up
        os._exit(1)

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            owner_alive.recv()  # the owner never writes: this returns (EOF) when its end closes
        os._exit(1)

    threading.Thread(target=watch, name="owner-watchdog", daemon=True).start()


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):
        pass  # not available on this platform; the CPU budget still applies


def _limit_cpu(total_seconds: float) -> None:
    """Let the kernel end this process (SIGXCPU) once it has used ``total_seconds`` of CPU in all."""
    try:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = math.ceil(total_seconds)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ImportError, ValueError, OSError):
        pass


# -- the owner's side --------------------------------------------------------------------------------
class _Worker:
    def __init__(self, warm_up: str | None):
        self.connection, child = multiprocessing.Pipe()
        owner_alive_read, self._owner_alive = multiprocessing.Pipe(duplex=False)
        fds = (child.fileno(), owner_alive_read.fileno())
        # The worker imports what this process imports, from the same places.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", _WORKER_COMMAND, *map(str, fds), str(os.getpid()), warm_up or ""],
            pass_fds=fds, env=env, stdin=subprocess.DEVNULL,
        )
        child.close()
        owner_alive_read.close()

    def wait_ready(self, seconds: float) -> bool:
        try:
            return self.connection.poll(seconds) and self.connection.recv()[0] == "ready"
        except (EOFError, OSError):
            return False

    def stop(self) -> None:
        self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.connection.close()
        self._owner_alive.close()


class DeadlinePool:
    """``size`` worker processes, kept started by a background thread and shared fairly between keys."""

    def __init__(
        self,
        size: int = 2,
        *,
        per_key: int | None = None,
        wait_seconds: float = 10.0,
        wall_seconds: float = 60.0,
        warm_up: str | None = None,
        name: str = "flashtutor-check",
    ):
        if size < 1:
            raise ValueError(f"a checking pool needs at least one process, got {size}")
        self.size = size
        self.per_key = per_key or max(1, size // 2)
        self.wait_seconds, self.wall_seconds = wait_seconds, wall_seconds
        self.name = name
        self._warm_up = warm_up  # "module:function" run once in each fresh worker before it takes work
        self._changed = threading.Condition()
        self._idle: list[_Worker] = []
        self._workers: set[_Worker] = set()  # idle, busy or starting
        self._starting = 0
        self._active: Counter[Hashable] = Counter()
        self._waiting: list[tuple[int, Hashable]] = []
        self._tickets = itertools.count()
        self._starter: threading.Thread | None = None
        self._started = False  # the first processes have been started (or failed to)
        self._closed = False

    def run(
        self, function: Callable[..., Any], args: tuple[Any, ...], cpu_seconds: float, *, key: Hashable = None
    ) -> Any:
        """``function(*args)`` in a worker, limited to ``cpu_seconds`` of its CPU time; raises its error,
        or a :class:`DeadlineExceeded` (busy pool, spent budget, lost worker) that decided nothing."""
        ticket = next(self._tickets)
        key = ("call", ticket) if key is None else key
        worker = self._acquire(ticket, key)
        try:
            kind, value = self._ask(worker, function, args, cpu_seconds)
        finally:
            self._release(worker, key)
        if kind == "budget":
            raise BudgetExceeded(f"the check used its {cpu_seconds:g} s of CPU time")
        if kind == "error":
            raise value
        return value

    def warm(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Start every worker now and wait until they can take work, so no check pays for start-up."""
        deadline = time.monotonic() + timeout
        with self._changed:
            self._start_thread()
            self._changed.wait_for(lambda: self._closed or (self._started and not self._starting
                                                            and len(self._workers) >= self.size),
                                   max(0.0, deadline - time.monotonic()))  # fmt: skip

    def close(self) -> None:
        """Stop every worker (a check still running gets :class:`WorkerLost`)."""
        with self._changed:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
            self._idle.clear()
            self._changed.notify_all()
        for worker in workers:
            worker.stop()

    def idle(self) -> int:
        """How many processes are ready and free right now."""
        with self._changed:
            return len(self._idle)

    def cpu_seconds(self) -> float:
        """CPU time used so far by the live processes (Linux; 0 elsewhere): budgets are in these units."""
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue  # gone or not Linux
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        return total / os.sysconf("SC_CLK_TCK") if total else 0.0

    def worker_pids(self) -> list[int]:
        with self._changed:
            return [w.process.pid for w in self._workers]

    # -- fair sharing ------------------------------------------------------------------------------
    def _acquire(self, ticket: int, key: Hashable) -> _Worker:
        with self._changed:
            if self._closed:
                raise PoolBusy("the checking pool is closed")
            self._start_thread()
            # The pool's own start-up is not the caller's wait: only time queueing for a turn counts.
            if not self._changed.wait_for(lambda: self._started or self._closed, READY_TIMEOUT_S):
                raise PoolBusy("the checking processes did not start")
            self._waiting.append((ticket, key))
            try:
                if not self._changed.wait_for(lambda: self._turn_of(ticket), self.wait_seconds):
                    raise PoolBusy("every checking process stayed busy")
                worker = self._idle.pop()
                self._active[key] += 1
                return worker
            finally:
                self._waiting.remove((ticket, key))
                self._changed.notify_all()

    def _turn_of(self, ticket: int) -> bool:
        """Whether ``ticket`` is next: the first waiter of the key holding the fewest, under the cap."""
        if self._closed:
            raise PoolBusy("the checking pool is closed")
        if not self._idle:
            return False
        eligible = [(self._active[key], t) for t, key in self._waiting if self._active[key] < self.per_key]
        return bool(eligible) and min(eligible)[1] == ticket

    def _release(self, worker: _Worker, key: Hashable) -> None:
        with self._changed:
            self._active[key] -= 1
            if self._active[key] <= 0:
                del self._active[key]
            if worker in self._workers:
                self._idle.append(worker)
            self._changed.notify_all()

    # -- one call -----------------------------------------------------------------------------------
    def _ask(
        self, worker: _Worker, function: Callable[..., Any], args: tuple[Any, ...], cpu_seconds: float
    ) -> tuple[str, Any]:
        try:
            worker.connection.send((function, args, cpu_seconds))
            if worker.connection.poll(max(self.wall_seconds, cpu_seconds)):
                return worker.connection.recv()
            lost = WorkerLost(f"the checking process gave no answer in {self.wall_seconds:g} s")
        except (EOFError, OSError) as error:
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(timeout=1)  # it is gone: collect how it ended
            code = worker.process.returncode
            ran_out = code is not None and -code == signal.SIGXCPU
            lost = (BudgetExceeded if ran_out else WorkerLost)("the checking process stopped unexpectedly")
            lost.__cause__ = error
        self._retire(worker)
        raise lost

    # -- keeping the pool full ---------------------------------------------------------------------
    def _retire(self, worker: _Worker) -> None:
        with self._changed:
            self._workers.discard(worker)
            self._changed.notify_all()  # the starter replaces it at once
        worker.stop()

    def _start_thread(self) -> None:
        """Start the starter thread (under the lock). It lives as long as the pool, so children started
        from it are not killed by their death signal when some short-lived request thread ends."""
        if self._starter is None:
            self._starter = threading.Thread(target=self._keep_full, name=f"{self.name}-starter", daemon=True)
            self._starter.start()

    def _keep_full(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._closed or len(self._workers) < self.size)
                if self._closed:
                    return
                missing = self.size - len(self._workers)
            try:
                fresh = [_Worker(self._warm_up) for _ in range(missing)]
            except Exception:  # e.g. out of memory or processes: try again, the pool must not stay empty
                log.exception("could not start a checking process")
                time.sleep(_RETRY_START_S)
                continue
            with self._changed:
                self._workers.update(fresh)
                self._starting += len(fresh)
            for worker in fresh:
                ready = worker.wait_ready(READY_TIMEOUT_S)
                with self._changed:
                    self._starting -= 1
                    if ready and not self._closed and worker in self._workers:
                        self._idle.append(worker)
                        self._changed.notify_all()
                        continue
                    self._workers.discard(worker)
                worker.stop()
                if not self._closed:
                    log.warning("a checking process failed to start; trying again")
                    time.sleep(_RETRY_START_S)
            with self._changed:
                self._started = True
                self._changed.notify_all()
