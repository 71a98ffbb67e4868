"""What the web side calls: submit a generation, iterate its text, cancel it, see the workers' status.

The same client works over Celery + Redis and over the embedded in-process worker; only the
dispatch function and the transport differ.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

from kombu.exceptions import OperationalError as BrokerError
from redis import RedisError
from sqlalchemy.exc import SQLAlchemyError

from app.db import Database
from app.settings import Settings, mask_url
from app.worker.flags import Flags, MemoryFlags, RedisFlags, cancel_flag
from app.worker.requests import (
    GenerationFailed,
    GenerationRequest,
    ModelUnavailable,
    Overloaded,
    QueueUnavailable,
    WorkerHeartbeat,
)
from app.worker.runtime import NO_MODEL, WorkerRuntime
from app.worker.streams import MemoryStreams, RedisStreams, StreamEvent, TokenStreams

log = logging.getLogger(__name__)
Dispatch = Callable[[str, dict, str], None]  # (task name, keyword arguments, queue)
CANCEL_TTL_S = 3600
# How long a job counts as handed to the broker. A job still queued after this (its message lost with a
# flushed Redis, or the workers busy all along) is queued again; a duplicate finds the job leased or done.
DISPATCHED_TTL_S = 6 * 3600
QUEUE_AWAY = "the batch queue (Redis) cannot be reached right now"
BROKER_AWAY = "the tutor model's queue (Redis) cannot be reached right now; please try again in a moment"


class WorkerClient:
    def __init__(
        self,
        dispatch: Dispatch,
        streams: TokenStreams,
        flags: Flags,
        *,
        read_timeout_s: float = 60.0,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self._dispatch = dispatch
        self.streams = streams
        self.flags = flags
        self.read_timeout_s = read_timeout_s
        self._on_close = on_close

    def close(self) -> None:
        """Stop the embedded worker, if this client owns one."""
        if self._on_close is not None:
            self._on_close()

    def workers(self) -> list[WorkerHeartbeat]:
        """The live workers' heartbeats: name, running, waiting, tokens/s, peak batch size, slots."""
        return [WorkerHeartbeat.from_json(value) for value in self.flags.with_prefix("worker:").values()]

    def submit(self, request: GenerationRequest) -> str:
        """Queue a generation; raises ModelUnavailable / Overloaded with a message for the user."""
        try:
            workers = self.workers()
            if not workers:
                raise ModelUnavailable(NO_MODEL)
            if request.priority == "interactive" and all(w.waiting >= w.slots * 4 for w in workers):
                raise Overloaded("the tutor model is busy right now; please try again in a minute")
            self._dispatch("generate", {"request": request.to_dict()}, request.priority)
        except (RedisError, BrokerError) as error:
            raise ModelUnavailable(BROKER_AWAY) from error
        return request.request_id

    def events(self, request_id: str) -> Iterator[StreamEvent]:
        """The reply's events in order, from the start (a late reader misses nothing).

        The last event says how it ended: "done", "length" (max tokens), "cancelled" or "timeout".
        Raises GenerationFailed when the worker reported an error, StreamTimeout when it went silent.
        """
        try:
            for event in self.streams.read(request_id, timeout_s=self.read_timeout_s):
                if event.status == "error":
                    raise GenerationFailed(event.error or "the model failed without saying why")
                yield event
        except RedisError as error:
            raise GenerationFailed(f"the reply was cut off: {BROKER_AWAY}") from error

    def text(self, request_id: str) -> Iterator[str]:
        """Just the reply's text chunks, in order."""
        return (event.text for event in self.events(request_id) if not event.is_end)

    def generate(self, request: GenerationRequest) -> str:
        """Submit and wait for the whole reply."""
        return "".join(self.text(self.submit(request)))

    def cancel(self, request_id: str) -> None:
        """Ask the worker to stop this reply; it stops within one engine step."""
        self.flags.put(cancel_flag(request_id), "1", CANCEL_TTL_S)

    def submit_assessment(self, job_id: int) -> None:
        """Start (or resume) an assessment job on the batch queue.

        Raises ``QueueUnavailable`` when the broker is away; the job stays queued in the database and
        ``dispatch_queued_jobs`` (run by every worker) hands it over once the broker is back.
        """
        try:
            self._dispatch("assess", {"job_id": job_id}, "batch")
            self.flags.put(_dispatched_flag(job_id), "1", DISPATCHED_TTL_S)
        except (RedisError, BrokerError) as error:
            raise QueueUnavailable(QUEUE_AWAY) from error

    def dispatch_queued_jobs(self, database: Database) -> list[int]:
        """Hand the broker the queued jobs it never got (it was away when they were started)."""
        from app.services.assessment import queued_jobs

        queued = queued_jobs(database)
        try:
            marks = self.flags.get_many([_dispatched_flag(job_id) for job_id in queued])
        except RedisError as error:
            raise QueueUnavailable(QUEUE_AWAY) from error
        missing = [job_id for job_id, mark in zip(queued, marks, strict=True) if mark is None]
        for job_id in missing:
            self.submit_assessment(job_id)
        return missing


def _dispatched_flag(job_id: int) -> str:
    return f"dispatched:job:{job_id}"


def start_job_sweeper(client: WorkerClient, database: Database, every_s: float) -> threading.Event:
    """Run ``client.dispatch_queued_jobs`` every ``every_s`` seconds on a daemon thread, riding out a
    broker or database that is away; set the returned event to stop it."""
    stop = threading.Event()

    def sweep() -> None:
        while not stop.wait(every_s):
            try:
                if dispatched := client.dispatch_queued_jobs(database):
                    log.info("queued batch jobs %s, started while the broker was away", dispatched)
            except (QueueUnavailable, SQLAlchemyError) as error:
                log.warning("cannot sweep queued batch jobs yet: %s", error)

    threading.Thread(target=sweep, name="job-sweeper", daemon=True).start()
    return stop


def check_broker_url(url: str) -> None:
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(
            "FLASHTUTOR_BROKER_URL must be a Redis URL (tokens stream over Redis Streams), "
            f"got {mask_url(url)!r}"
        )


def celery_client(broker_url: str, namespace: str = "flashtutor") -> WorkerClient:
    """A client that queues tasks for Celery workers over Redis and reads their token streams."""
    from app.worker.celery_app import make_app

    check_broker_url(broker_url)
    app = make_app(broker_url, namespace)  # its own app: clients for several namespaces can coexist

    def dispatch(name: str, kwargs: dict, queue: str) -> None:
        app.send_task(f"flashtutor.{name}", kwargs=kwargs, queue=queue)

    return WorkerClient(dispatch, RedisStreams(broker_url, namespace), RedisFlags(broker_url, namespace))


def embedded_client(settings: Settings, *, threads: int = 32) -> WorkerClient:
    """A client with its own in-process worker (and model, when a checkpoint is configured)."""
    from app.worker.embedded import EmbeddedWorker

    streams, flags = MemoryStreams(), MemoryFlags()
    runtime = WorkerRuntime.from_settings(settings, streams, flags)
    worker = EmbeddedWorker(runtime, threads=threads)
    resume_unfinished_jobs(runtime.database, worker.dispatch)
    return WorkerClient(worker.dispatch, streams, flags, on_close=worker.close)


def resume_unfinished_jobs(database: Database, dispatch: Dispatch) -> None:
    """Re-queue the jobs a stopped worker left unfinished; their graded items are kept, not redone."""
    from app.services.assessment import unfinished_jobs

    if database.current_revision() is None:  # a brand-new database has no jobs yet
        return
    for job_id in unfinished_jobs(database):
        dispatch("assess", {"job_id": job_id}, "batch")


def connect(settings: Settings) -> WorkerClient:
    """The web process's client: Celery workers when a broker is configured, else the embedded worker."""
    if settings.broker_url:
        return celery_client(settings.broker_url)
    return embedded_client(settings)
