"""What the web side calls: submit a generation, iterate its text, cancel it, see the workers' status.

The same client works over Celery + Redis and over the embedded in-process worker; only the
dispatch function and the transport differ (``app.assembly`` picks them). It implements
``app.contract.ModelClient``, the interface the services use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from kombu.exceptions import OperationalError as BrokerError
from redis import RedisError

from app.contract import (
    NO_MODEL,
    GenerationFailed,
    GenerationRequest,
    ModelUnavailable,
    Overloaded,
    QueueUnavailable,
    WorkerHeartbeat,
)
from app.worker.flags import Flags, cancel_flag
from app.worker.streams import StreamEvent, TokenStreams

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
        ``dispatch_queued_jobs`` (every worker's job sweeper calls it) hands it over once the broker is back.
        """
        try:
            self._dispatch("assess", {"job_id": job_id}, "batch")
            self.flags.put(_dispatched_flag(job_id), "1", DISPATCHED_TTL_S)
        except (RedisError, BrokerError) as error:
            raise QueueUnavailable(QUEUE_AWAY) from error

    def dispatch_queued_jobs(self, queued: list[int]) -> list[int]:
        """Hand the broker those of these queued jobs it never got (it was away when they were started)."""
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
