"""The contract between the services and the model workers: what is asked, what comes back, what can fail.

Both sides depend on this module and on nothing of each other's: the services (``tutor_model``,
``assessment``) build ``GenerationRequest``s, read ``Generation``s and catch ``WorkerError``s through the
``ModelClient`` and ``SharedFlags`` interfaces; the worker package (``app.worker``) implements those
interfaces. This module imports nothing from the rest of the app.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Protocol

PRIORITIES = ("interactive", "batch")
SYSTEM_PROMPT = "Your name is Phi, an AI math expert developed by Microsoft."  # the model card's
NO_MODEL = (
    "the model-backed tutor is not enabled: set FLASHTUTOR_MODEL_PATH to the Phi-4-mini-flash-reasoning "
    "checkpoint folder (and, with a broker, start `flashtutor worker --model PATH`)"
)


# -- errors: every message is written for the user ---------------------------------------------------
class WorkerError(RuntimeError):
    """A generation could not be served; the message is written for the user."""


class ModelUnavailable(WorkerError):
    """No checkpoint is configured, or no worker is running to serve it."""


class Overloaded(WorkerError):
    """Every worker is full; the user should try again shortly."""


class QueueUnavailable(WorkerError):
    """The broker (Redis) cannot be reached, so nothing can be queued for the workers right now."""


class GenerationFailed(WorkerError):
    """The request was accepted but failed while generating."""


class StreamTimeout(TimeoutError):
    """No token arrived in time: the worker is stuck, gone, or the request was never started."""


# -- request and result ---------------------------------------------------------------------------
@dataclass(frozen=True)
class GenerationRequest:
    """One generation. Give ``messages`` (chat turns) or ``prompt_token_ids`` (a raw completion)."""

    messages: list[dict[str, str]] = field(default_factory=list)
    prompt_token_ids: list[int] = field(default_factory=list)
    max_tokens: int = 1024
    temperature: float = 0.6
    top_p: float = 0.95
    seed: int | None = None
    time_limit_s: float = 120.0
    thinking_s: float | None = None  # a reasoning trace still open after this long is closed for the model
    priority: str = "interactive"
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        if bool(self.messages) == bool(self.prompt_token_ids):
            raise ValueError("a generation request needs either chat messages or prompt token ids, not both")
        if self.priority not in PRIORITIES:
            raise ValueError(f"priority must be one of {PRIORITIES}, got {self.priority!r}")
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {self.max_tokens}")
        if self.time_limit_s <= 0:
            raise ValueError(f"time_limit_s must be positive, got {self.time_limit_s}")
        if self.thinking_s is not None and self.thinking_s < 0:
            raise ValueError(f"thinking_s must not be negative, got {self.thinking_s}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GenerationRequest:
        return cls(**data)


@dataclass(frozen=True)
class Generation:
    """The finished text of a request and why it stopped."""

    request_id: str
    text: str
    status: str  # "done", "length", "cancelled" or "timeout"
    prompt_tokens: int
    output_tokens: int
    latency_ms: int


Generate = Callable[[GenerationRequest], Generation]  # one request run to the end, in this process


@dataclass(frozen=True)
class WorkerHeartbeat:
    """What a model worker publishes every few seconds: who it is, how busy, how fast."""

    name: str
    running: int
    waiting: int
    slots: int
    tokens_per_second: float
    tokens_generated: int
    peak_running: int
    in_flight: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> WorkerHeartbeat:
        """Read a heartbeat; keys this version does not know (a newer worker's) are ignored."""
        data = json.loads(text)
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


# -- the interfaces the services call; app.worker implements them ---------------------------------------
class ModelClient(Protocol):
    """The web side's handle on the model workers (``app.worker.client.WorkerClient``)."""

    def submit(self, request: GenerationRequest) -> str:
        """Queue a generation; raises ``ModelUnavailable`` / ``Overloaded``."""
        ...

    def text(self, request_id: str) -> Iterator[str]:
        """The reply's text chunks in order; raises ``GenerationFailed`` or ``StreamTimeout``."""
        ...

    def generate(self, request: GenerationRequest) -> str:
        """Submit and wait for the whole reply."""
        ...

    def cancel(self, request_id: str) -> None:
        """Ask the worker to stop this reply."""
        ...

    def workers(self) -> list[WorkerHeartbeat]:
        """The live workers' heartbeats."""
        ...


class SharedFlags(Protocol):
    """Small values with an expiry shared by every worker (``app.worker.flags``): leases among them."""

    def put(self, name: str, value: str, ttl_s: float, *, only_if_absent: bool = False) -> bool: ...

    def get(self, name: str) -> str | None: ...

    def lease(self, name: str, owner: str, ttl_s: float = 30.0) -> AbstractContextManager[bool]:
        """Hold ``name`` for ``owner`` while the block runs, renewed; yields whether it was won."""
        ...
