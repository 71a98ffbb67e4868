"""Continuous batching: which sequences run in the next model step. No tensors here.

Two resources are budgeted. *Slots* hold a sequence's fixed-size state (Mamba conv/SSM states and
sliding-window ring buffers). *KV tokens* are entries of the one growing global KV cache, summed over
running sequences. A running sequence that cannot grow preempts the newest running sequence; the
victim frees its slot and later resumes by re-prefilling prompt + generated tokens, which is exact
because SambaY's state is a function of the tokens alone.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from model.engine.sequence import FinishReason, InvalidRequest, Sequence, SequenceStatus


class RequestTooLarge(InvalidRequest):
    """The request can never fit in memory, however long it waits."""


@dataclass(frozen=True)
class SchedulerConfig:
    num_slots: int
    max_seq_len: int  # tokens one sequence may hold (prompt + completion)
    kv_token_budget: int | None = None  # global-KV tokens over all running sequences; None: slots x length
    max_prefill_tokens: int = 8192  # tokens prefilled in one step, bounding activation memory

    def __post_init__(self) -> None:
        for name in ("num_slots", "max_seq_len", "max_prefill_tokens"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.kv_token_budget is not None and self.kv_token_budget < 1:
            raise ValueError(f"kv_token_budget must be at least 1, got {self.kv_token_budget}")

    @property
    def token_budget(self) -> int:
        full = self.num_slots * self.max_seq_len
        return full if self.kv_token_budget is None else min(self.kv_token_budget, full)

    @property
    def max_request_tokens(self) -> int:
        return min(self.max_seq_len, self.token_budget)


@dataclass(frozen=True)
class Batch:
    """One model step: prefill every token of ``seqs``, or decode one token for each."""

    kind: Literal["prefill", "decode"]
    seqs: list[Sequence]


class Scheduler:
    def __init__(self, config: SchedulerConfig, decode: Callable[[list[int]], str] | None = None) -> None:
        self.config = config
        self.decode = decode  # detokenizer for stop strings
        self.waiting: deque[Sequence] = deque()
        self.running: deque[Sequence] = deque()  # oldest admission first
        self._free_slots = list(range(config.num_slots))
        self._held: dict[int, int] = {}  # seq_id -> KV tokens held after the scheduled step
        self._last_was_prefill = False

    # -- requests -------------------------------------------------------------------------------
    def check(self, seq: Sequence) -> None:
        """Raise InvalidRequest (RequestTooLarge when it is about memory) if ``seq`` can never run.

        It reads only the frozen config, so any thread may call it before handing ``seq`` over.
        """
        limit = self.config.max_request_tokens
        if seq.max_total_tokens > limit:
            raise RequestTooLarge(
                f"request needs up to {seq.max_total_tokens} tokens (prompt {seq.num_prompt_tokens} + "
                f"max_tokens {seq.params.max_tokens}) but the engine can hold at most {limit} per "
                "sequence; shorten the prompt or lower max_tokens"
            )
        if seq.params.stop_strings and self.decode is None:
            raise InvalidRequest("stop_strings need an engine with a tokenizer")

    def add(self, seq: Sequence) -> None:
        self.check(seq)
        seq.status = SequenceStatus.WAITING
        self.waiting.append(seq)

    def abort(self, seq: Sequence, error: str) -> None:
        """Finish ``seq`` with an error and free what it holds; the other sequences carry on."""
        if seq.status is SequenceStatus.RUNNING:
            self.running.remove(seq)
            self._release(seq)
        elif seq.status is SequenceStatus.WAITING:
            self.waiting.remove(seq)
        seq.finish(FinishReason.ERROR, error)

    def collect_cancelled(self) -> list[Sequence]:
        """Finish every cancelled sequence now, freeing its slot, and return them."""
        cancelled = [s for s in (*self.waiting, *self.running) if s.cancelled]
        for seq in cancelled:
            if seq.status is SequenceStatus.RUNNING:
                self.running.remove(seq)
                self._release(seq)
            else:
                self.waiting.remove(seq)
            seq.finish(FinishReason.CANCELLED)
        return cancelled

    # -- stepping -------------------------------------------------------------------------------
    def schedule(self) -> Batch | None:
        """Pick the next step. Prefill and decode alternate while both have work, so neither starves."""
        if not (self._last_was_prefill and self.running):
            admitted = self._admit()
            if admitted:
                self._last_was_prefill = True
                return Batch("prefill", admitted)
        self._last_was_prefill = False
        decoding = self._grow_running()
        return Batch("decode", decoding) if decoding else None

    def postprocess(self, batch: Batch, token_ids: list[int]) -> list[Sequence]:
        """Record one sampled token per sequence; return the sequences that finished.

        A detokenizer failure (stop strings) ends only the sequence whose text it was decoding.
        """
        finished = []
        for seq, token_id in zip(batch.seqs, token_ids, strict=True):
            if seq.cancelled:  # collect_cancelled finishes it before the next step
                continue
            try:
                seq.append_token(token_id, self.decode)
            except Exception as error:
                seq.finish(FinishReason.ERROR, f"checking stop strings failed: {error}")
            if seq.is_finished:
                self.running.remove(seq)
                self._release(seq)
                finished.append(seq)
        return finished

    # -- bookkeeping ----------------------------------------------------------------------------
    @property
    def is_idle(self) -> bool:
        return not self.waiting and not self.running

    @property
    def kv_tokens_in_use(self) -> int:
        return sum(self._held.values())

    @property
    def slots_in_use(self) -> int:
        return self.config.num_slots - len(self._free_slots)

    def _admit(self) -> list[Sequence]:
        """Move waiting sequences (FIFO) to running while a slot and the KV budget allow.

        A sequence is admitted only if, after its prefill, every running sequence can still decode
        one more token; otherwise it would be preempted again at once.
        """
        admitted: list[Sequence] = []
        prefill_tokens = 0
        while self.waiting and self._free_slots:
            seq = self.waiting[0]
            if admitted and prefill_tokens + len(seq) > self.config.max_prefill_tokens:
                break
            headroom = len(self.running) + 1
            if self.kv_tokens_in_use + len(seq) + headroom > self.config.token_budget:
                break
            self.waiting.popleft()
            seq.slot = heapq.heappop(self._free_slots)
            seq.status = SequenceStatus.RUNNING
            self._held[seq.seq_id] = len(seq)
            self.running.append(seq)
            admitted.append(seq)
            prefill_tokens += len(seq)
        return admitted

    def _grow_running(self) -> list[Sequence]:
        """Reserve one more KV token per running sequence, preempting the newest ones if needed."""
        kept: list[Sequence] = []
        while self.running:
            seq = self.running.popleft()
            while self.kv_tokens_in_use + 1 > self.config.token_budget:
                victim = self.running.pop() if self.running else seq
                self._preempt(victim)
                if victim is seq:
                    break
            else:
                self._held[seq.seq_id] += 1
                kept.append(seq)
        self.running.extend(kept)
        return kept

    def _preempt(self, seq: Sequence) -> None:
        self._release(seq)
        seq.status = SequenceStatus.WAITING
        seq.num_preemptions += 1
        self.waiting.appendleft(seq)

    def _release(self, seq: Sequence) -> None:
        del self._held[seq.seq_id]
        heapq.heappush(self._free_slots, seq.slot)
        seq.slot = None
