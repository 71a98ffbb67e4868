"""The embedded worker: the worker's tasks on real threads of the web process, no broker needed.

It is what `flashtutor serve` uses when no broker is configured. Tasks go through the same client,
token streams (in memory) and cancel flags as with Celery; interactive tasks are taken before batch.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading

from app.worker.tasks import TASKS

log = logging.getLogger(__name__)
_STOP_RANK = -1  # sorts before every task, so close() does not wait for the queue to drain


class EmbeddedWorker:
    def __init__(self, runtime, threads: int = 32) -> None:
        self.runtime = runtime
        self._tasks: queue.PriorityQueue = queue.PriorityQueue()
        self._order = itertools.count()
        self._threads = [
            threading.Thread(target=self._serve, name=f"flashtutor-worker-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def dispatch(self, name: str, kwargs: dict, queue_name: str) -> None:
        """Queue a task by name; ``interactive`` tasks run before any waiting ``batch`` task."""
        if name not in TASKS:
            raise ValueError(f"unknown worker task {name!r}; known: {sorted(TASKS)}")
        rank = 0 if queue_name == "interactive" else 1
        self._tasks.put((rank, next(self._order), name, kwargs))

    def close(self) -> None:
        """Finish the running tasks (queued ones are dropped), then stop the threads and the engine."""
        for _ in self._threads:
            self._tasks.put((_STOP_RANK, next(self._order), "", {}))
        for thread in self._threads:
            thread.join()
        self.runtime.close()

    def _serve(self) -> None:
        while True:
            rank, _, name, kwargs = self._tasks.get()
            if rank == _STOP_RANK:
                return
            try:
                TASKS[name](self.runtime, **kwargs)
            except Exception:  # one failed task must not take the worker thread down with it
                log.exception("worker task %s failed", name)
