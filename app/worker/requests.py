"""What travels from the web side to a worker: a generation request, and the errors a user can see."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

PRIORITIES = ("interactive", "batch")
SYSTEM_PROMPT = "Your name is Phi, an AI math expert developed by Microsoft."  # the model card's


class WorkerError(RuntimeError):
    """A generation could not be served; the message is written for the user."""


class ModelUnavailable(WorkerError):
    """No checkpoint is configured, or no worker is running to serve it."""


class Overloaded(WorkerError):
    """Every worker is full; the user should try again shortly."""


class GenerationFailed(WorkerError):
    """The request was accepted but failed while generating."""


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
