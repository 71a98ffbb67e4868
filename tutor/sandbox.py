"""Run a pure function in a persistent worker process with a hard deadline.

SymPy's ``solveset`` and ``simplify`` can run for minutes on innocent-looking input, and a thread cannot
be interrupted. So checks run in a small pool of worker processes: when a call misses its deadline its
worker is killed and replaced, and the caller gets :class:`DeadlineExceeded` at once. This works from any
thread (the web server calls it from worker threads), unlike ``signal.alarm``.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

WORKER_MEMORY_BYTES = 2 * 1024**3


class DeadlineExceeded(TimeoutError):
    """The function did not finish in time (or its worker died); its worker has been replaced."""


def _serve(connection: Any) -> None:
    """Worker loop: receive ``(function, args)``, send back ``(ok, value_or_error)``."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):
        pass  # not available on this platform; the deadline still applies
    while True:
        try:
            function, args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            reply = (True, function(*args))
        except Exception as error:
            reply = (False, error)
        try:
            connection.send(reply)
        except Exception as error:  # an unpicklable result or error
            connection.send((False, RuntimeError(repr(error))))


class _Worker:
    def __init__(self, context: Any):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True, name="flashtutor-check")
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


class DeadlinePool:
    """At most ``size`` worker processes, started on first use and replaced after a missed deadline."""

    def __init__(self, size: int = 2):
        self.size = size
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._started = 0

    def run(self, function: Callable[..., Any], args: tuple[Any, ...], seconds: float) -> Any:
        """``function(*args)`` in a worker; raises DeadlineExceeded after ``seconds``, or its own error."""
        deadline = time.monotonic() + seconds
        worker = self._acquire(deadline)
        try:
            worker.connection.send((function, args))
            if not worker.connection.poll(max(0.0, deadline - time.monotonic())):
                raise DeadlineExceeded(f"the check took longer than {seconds:g} s")
            ok, value = worker.connection.recv()
        except (DeadlineExceeded, EOFError, OSError) as error:
            self._replace(worker)
            if isinstance(error, DeadlineExceeded):
                raise
            raise DeadlineExceeded("the checking process stopped unexpectedly") from error
        self._idle.put(worker)
        if not ok:
            raise value
        return value

    def warm(self) -> None:
        """Start all workers now so that the first checks do not pay for process start-up."""
        while self._try_start():
            pass

    def _acquire(self, deadline: float) -> _Worker:
        if self._idle.empty():
            self._try_start()
        try:
            return self._idle.get(timeout=max(0.001, deadline - time.monotonic()))
        except queue.Empty:
            raise DeadlineExceeded("all checking processes stayed busy") from None

    def _try_start(self) -> bool:
        with self._lock:
            if self._started >= self.size:
                return False
            self._started += 1
        self._idle.put(_Worker(self._context))
        return True

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._started -= 1
        self._try_start()
