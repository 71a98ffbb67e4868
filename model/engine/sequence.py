"""Requests as the engine sees them: sampling parameters, a sequence's tokens and its lifecycle.

Pure Python and no tensors, so the scheduler can be tested without a model.
"""

from __future__ import annotations

import enum
import itertools
import operator
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


class InvalidRequest(ValueError):
    """A request the engine can never serve as written (bad parameters or empty prompt)."""


@dataclass(frozen=True)
class SamplingParams:
    """How to pick each token and when to stop. ``temperature == 0`` means greedy decoding."""

    max_tokens: int = 256
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 0  # 0 keeps the whole vocabulary
    seed: int | None = None
    stop_token_ids: tuple[int, ...] | None = None  # None: the model's own end-of-text ids
    stop_strings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.max_tokens < 1:
            raise InvalidRequest(f"max_tokens must be at least 1, got {self.max_tokens}")
        if not self.temperature >= 0.0:
            raise InvalidRequest(f"temperature must be >= 0 (0 = greedy), got {self.temperature}")
        if not 0.0 < self.top_p <= 1.0:
            raise InvalidRequest(f"top_p must be in (0, 1], got {self.top_p}")
        if self.top_k < 0:
            raise InvalidRequest(f"top_k must be >= 0 (0 = no limit), got {self.top_k}")
        if any(not s for s in self.stop_strings):
            raise InvalidRequest("stop_strings must not contain an empty string")
        # Lists are accepted for convenience; tuples keep the object hashable and immutable.
        if self.stop_token_ids is not None:
            object.__setattr__(self, "stop_token_ids", tuple(self.stop_token_ids))
        object.__setattr__(self, "stop_strings", tuple(self.stop_strings))

    @property
    def greedy(self) -> bool:
        return self.temperature == 0.0


class SequenceStatus(enum.Enum):
    WAITING = "waiting"
    RUNNING = "running"
    FINISHED = "finished"


class FinishReason(enum.Enum):
    STOP = "stop"  # a stop token id or stop string was produced
    LENGTH = "length"  # max_tokens reached
    CANCELLED = "cancelled"
    ERROR = "error"


_ids = itertools.count()


@dataclass(eq=False)
class Sequence:
    """One request's tokens and progress. ``token_ids`` is prompt + completion so far.

    The model state of a running sequence holds every token except the last one: the last token is
    the input of the next decode step. That makes resuming after preemption exact: prefill all tokens.
    """

    prompt_token_ids: list[int]
    params: SamplingParams = field(default_factory=SamplingParams)
    seq_id: int = field(default_factory=lambda: next(_ids))
    status: SequenceStatus = SequenceStatus.WAITING
    finish_reason: FinishReason | None = None
    slot: int | None = None
    num_preemptions: int = 0
    error: str | None = None  # why it finished with FinishReason.ERROR
    cancel_event: threading.Event = field(default_factory=threading.Event, repr=False)

    def __post_init__(self) -> None:
        if not self.prompt_token_ids:
            raise InvalidRequest("the prompt must contain at least one token")
        try:  # numpy and tensor integers are welcome; floats and strings are not
            self.prompt_token_ids = [operator.index(t) for t in self.prompt_token_ids]
        except TypeError:
            raise InvalidRequest("prompt token ids must be integers") from None
        if min(self.prompt_token_ids) < 0:
            raise InvalidRequest("prompt token ids must be non-negative integers")
        self.token_ids = list(self.prompt_token_ids)

    def __len__(self) -> int:
        return len(self.token_ids)

    @property
    def num_prompt_tokens(self) -> int:
        return len(self.prompt_token_ids)

    @property
    def completion_token_ids(self) -> list[int]:
        return self.token_ids[self.num_prompt_tokens :]

    @property
    def max_total_tokens(self) -> int:
        """The most tokens this sequence can ever hold: what admission control must budget for."""
        return self.num_prompt_tokens + self.params.max_tokens

    @property
    def is_finished(self) -> bool:
        return self.status is SequenceStatus.FINISHED

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def append_token(self, token_id: int, decode: Callable[[list[int]], str] | None = None) -> None:
        """Add a generated token and mark the sequence finished if it hits a stop condition."""
        self.token_ids.append(token_id)
        if token_id in (self.params.stop_token_ids or ()) or _ends_in_stop_string(self, decode):
            self.finish(FinishReason.STOP)
        elif len(self.completion_token_ids) >= self.params.max_tokens:
            self.finish(FinishReason.LENGTH)

    def finish(self, reason: FinishReason, error: str | None = None) -> None:
        self.status = SequenceStatus.FINISHED
        self.finish_reason = reason
        self.error = error


def _ends_in_stop_string(seq: Sequence, decode: Callable[[list[int]], str] | None) -> bool:
    """Whether a stop string appears in the text that the newest token completed.

    Only a short tail is decoded, so checking costs O(stop length) per token, not O(completion).
    A token carries at least one byte and a character at most four, so ``4 * len + 2`` tokens
    cover any occurrence that ends in the newest token.
    """
    stops = seq.params.stop_strings
    if not stops:
        return False
    if decode is None:
        raise InvalidRequest("stop_strings need an engine with a tokenizer")
    longest = max(len(s) for s in stops)
    completion = seq.completion_token_ids
    tail = decode(completion[-(4 * longest + 2) :])
    return any(s in tail for s in stops)


def truncate_at_stop(text: str, stop_strings: Iterable[str]) -> str:
    """Cut generated text before the first stop string, as OpenAI-style APIs do."""
    cuts = [i for i in (text.find(s) for s in stop_strings) if i >= 0]
    return text[: min(cuts)] if cuts else text
