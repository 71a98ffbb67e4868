"""Requests as the engine sees them: sampling parameters, a sequence's tokens and its lifecycle.

Pure Python and no tensors, so the scheduler can be tested without a model.
"""

from __future__ import annotations

import enum
import itertools
import operator
import threading
from collections.abc import Callable
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
    keep_text: bool = False  # keep ``text`` up to date even without stop strings (needs a detokenizer)
    text: ReplyText | None = field(default=None, init=False, repr=False)  # see ``append_token``

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

    @property
    def reply_token_ids(self) -> list[int]:
        """The completion without the stop id that ended it (the tokens a caller shows)."""
        ids = self.completion_token_ids
        stopped_by_id = self.finish_reason is FinishReason.STOP and bool(ids) and ids[-1] in self._stop_ids
        return ids[:-1] if stopped_by_id else ids

    @property
    def _stop_ids(self) -> tuple[int, ...]:
        return self.params.stop_token_ids or ()

    def append_token(self, token_id: int, decode: Callable[[list[int]], str] | None = None) -> None:
        """Add a generated token and mark the sequence finished if it hits a stop condition.

        A stop id ends the sequence without becoming text; any other token extends ``text`` (when the
        sequence keeps it: always with stop strings), which may complete a stop string.
        """
        self.token_ids.append(token_id)
        if token_id in self._stop_ids:
            self.finish(FinishReason.STOP)
            return
        if self.params.stop_strings or (self.keep_text and decode is not None):
            if decode is None:
                raise InvalidRequest("stop_strings need an engine with a tokenizer")
            if self.text is None:
                self.text = ReplyText(decode, self.params.stop_strings)
            _, stopped = self.text.push(token_id)
            if stopped:
                self.finish(FinishReason.STOP)
                return
        if len(self.completion_token_ids) >= self.params.max_tokens:
            self.finish(FinishReason.LENGTH)

    def finish(self, reason: FinishReason, error: str | None = None) -> None:
        self.status = SequenceStatus.FINISHED
        self.finish_reason = reason
        self.error = error


class ReplyText:
    """A reply's text as its tokens arrive: the one place stop strings are looked for.

    ``push`` returns the text that is now safe to show, holding back what could still become a stop
    string (or an unfinished UTF-8 character), and whether a stop string is now complete; the text is
    cut before it. Each push decodes only the tokens of a character still being completed.
    """

    def __init__(self, decode: Callable[[list[int]], str], stop_strings: tuple[str, ...] = ()) -> None:
        self._decode = decode
        self._stops = stop_strings
        self._done = ""  # text of the tokens before ``_pending``, which later tokens cannot change
        self._pending: list[int] = []
        self._emitted = 0
        self._shown: list[str] = []
        self._unread = 0  # how many of ``_shown`` ``take`` has not returned yet
        self.stopped = False

    def push(self, token: int) -> tuple[str, bool]:
        if self.stopped:
            raise ValueError("the reply already ended at a stop string")
        self._pending.append(token)
        tail = self._decode(self._pending)
        text = self._done + tail
        if not tail.endswith("\ufffd"):  # a complete character: later tokens only append
            self._done, self._pending = text, []
        search_from = max(0, self._emitted - max((len(s) for s in self._stops), default=0))
        found = [i for s in self._stops if (i := text.find(s, search_from)) >= 0]
        if found:
            self.stopped = True
            return self._take(text, min(found)), True
        hold = max((k for s in self._stops for k in range(1, len(s)) if text.endswith(s[:k])), default=0)
        safe = len(text) - hold
        while safe > self._emitted and text[safe - 1] == "\ufffd":
            safe -= 1
        return self._take(text, safe), False

    def flush(self) -> str:
        """Release what was held back, at the end of the reply (nothing after a stop string)."""
        if self.stopped:
            return ""
        return self._take(self._done + self._decode(self._pending), None)

    def take(self) -> str:
        """The text released since the last ``take``: what a streaming reader shows next."""
        unread, self._unread = self._shown[len(self._shown) - self._unread :], 0
        return "".join(unread)

    def final(self) -> str:
        """The whole reply, cut before a stop string (what is held back included; nothing is taken)."""
        if self.stopped:
            return "".join(self._shown)
        return self._done + self._decode(self._pending)

    def _take(self, text: str, end: int | None) -> str:
        end = len(text) if end is None else max(end, self._emitted)
        piece, self._emitted = text[self._emitted : end], end
        self._shown.append(piece)
        self._unread += 1
        return piece
