"""The serving engine: a background loop over scheduler + runner that many threads can submit to.

An engine step is three lines, as in nano-vllm: schedule, run the model, postprocess. Everything
else here is the thread-safe edge: handles that stream tokens, cancellation and metrics.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from collections import deque
from collections.abc import Iterator
from collections.abc import Sequence as Seq
from dataclasses import dataclass

from model.engine.cache import StatePool
from model.engine.runner import ModelRunner
from model.engine.scheduler import Batch, Scheduler, SchedulerConfig
from model.engine.sequence import FinishReason, InvalidRequest, SamplingParams, Sequence

_DONE = object()
DEFAULT_PARAMS = SamplingParams()
RATE_WINDOW_S = 5.0  # tokens/s is averaged over this many recent seconds


class EngineError(RuntimeError):
    """The engine failed while serving a request; the message says why."""


@dataclass(frozen=True)
class EngineConfig:
    max_seq_len: int = 4096  # prompt + completion tokens per request
    num_slots: int = 16  # sequences that run at once
    kv_token_budget: int | None = None  # global-KV tokens over all running sequences; None: all slots full
    max_prefill_tokens: int = 8192

    def scheduler_config(self) -> SchedulerConfig:
        return SchedulerConfig(
            self.num_slots, self.max_seq_len, self.kv_token_budget, self.max_prefill_tokens
        )


@dataclass(frozen=True)
class Completion:
    token_ids: list[int]
    text: str | None  # with a tokenizer: the reply without its stop id, cut before a stop string
    finish_reason: FinishReason


@dataclass(frozen=True)
class EngineMetrics:
    running: int
    waiting: int
    tokens_per_second: float  # sampled tokens over the last few seconds
    tokens_generated: int  # since start
    slots_in_use: int
    kv_tokens_in_use: int
    memory_bytes_in_use: int
    memory_bytes_allocated: int


class RequestHandle:
    """What ``Engine.submit`` returns: iterate it for token ids as they come, or wait for ``result()``."""

    def __init__(self, seq: Sequence, engine: Engine) -> None:
        self.seq = seq
        self._engine = engine
        self._events: queue.Queue = queue.Queue()
        self._done = threading.Event()
        self._error: str | None = None
        self._emitted = 0

    @property
    def request_id(self) -> int:
        return self.seq.seq_id

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def cancel(self) -> None:
        """Stop generating; the slot is freed at the next engine step."""
        self.seq.cancel_event.set()
        self._engine._wake()

    def __iter__(self) -> Iterator[int]:
        while (event := self._events.get()) is not _DONE:
            yield event
        self._raise_if_failed()

    def result(self, timeout: float | None = None) -> Completion:
        if not self._done.wait(timeout):
            raise TimeoutError(f"request {self.request_id} did not finish within {timeout} s")
        self._raise_if_failed()
        seq, tokenizer = self.seq, self._engine.tokenizer
        text = None
        if seq.text is not None:  # kept as it grew (stop strings): cut before the stop string
            text = seq.text.final()
        elif tokenizer is not None:
            text = tokenizer.decode(seq.reply_token_ids)
        return Completion(seq.completion_token_ids, text, seq.finish_reason)

    def _emit_new_tokens(self) -> None:
        completion = self.seq.completion_token_ids
        for token_id in completion[self._emitted :]:
            self._events.put(token_id)
        self._emitted = len(completion)

    def _finish(self, error: str | None = None) -> None:
        self._error = error
        self._done.set()
        self._events.put(_DONE)

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise EngineError(f"request {self.request_id} failed: {self._error}")


class Engine:
    """Continuous batching over a pool of per-sequence SambaY states.

    ``submit`` is safe from any thread. ``start()`` runs ``step`` in a background thread; without it,
    callers may drive ``step`` themselves (tests, benchmarks).
    """

    def __init__(self, model, config: EngineConfig = EngineConfig(), tokenizer=None) -> None:
        self.config = config
        self.tokenizer = tokenizer
        self.vocab_size: int = model.config.vocab_size
        self.default_stop_token_ids: tuple[int, ...] = tuple(model.config.stop_token_ids)
        decode = None if tokenizer is None else tokenizer.decode
        self.scheduler = Scheduler(config.scheduler_config(), decode=decode)
        self.pool = StatePool(model, num_slots=config.num_slots, max_seq_len=config.max_seq_len)
        unknown_ids = getattr(tokenizer, "unknown_ids", None)  # a plain decoder has none to ban
        banned = () if unknown_ids is None else unknown_ids(self.vocab_size)
        self.runner = ModelRunner(model, self.pool, banned)
        self._handles: dict[int, RequestHandle] = {}
        self._inbox: list[Sequence] = []
        self._wakeup = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._failure: str | None = None  # why the background loop died, if it did
        self._recent: deque[tuple[float, int]] = deque()  # (time, tokens) per step, for tokens/s
        self._tokens_generated = 0
        self._occupancy = (0, 0, 0, 0)  # running, waiting, slots, KV tokens after the last step

    # -- public API -----------------------------------------------------------------------------
    def submit(
        self, prompt_token_ids: Seq[int], params: SamplingParams = DEFAULT_PARAMS, *, keep_text: bool = False
    ) -> RequestHandle:
        """Queue a request; raises InvalidRequest / RequestTooLarge at once if it can never run.

        Every check happens here, in the caller's thread, so a bad request never reaches the loop.
        Stop token ids left as None become the model's own. With ``keep_text`` (and a tokenizer) the
        sequence's ``text`` streams the reply as it grows, as stop strings always do.
        """
        if params.stop_token_ids is None:
            params = dataclasses.replace(params, stop_token_ids=self.default_stop_token_ids)
        seq = Sequence(list(prompt_token_ids), params, keep_text=keep_text)
        outside = [t for t in seq.prompt_token_ids if t >= self.vocab_size]
        if outside:
            raise InvalidRequest(
                f"prompt token id {outside[0]} is outside the model's vocabulary [0, {self.vocab_size})"
            )
        self.scheduler.check(seq)
        handle = RequestHandle(seq, self)
        with self._wakeup:
            if self._failure is not None or self._stopping:
                raise EngineError(f"the engine is not running: {self._failure or 'it was shut down'}")
            self._handles[seq.seq_id] = handle
            self._inbox.append(seq)
            self._wakeup.notify()
        return handle

    def generate(self, prompts: Seq[Seq[int]], params: SamplingParams = DEFAULT_PARAMS) -> list[Completion]:
        """Submit every prompt and wait for all of them (a convenience for batch jobs)."""
        handles = [self.submit(p, params) for p in prompts]
        if self._thread is None:
            while not all(h.done for h in handles):
                self.step()
        return [h.result() for h in handles]

    def step(self) -> None:
        """Admit new requests, drop cancelled ones, and run one prefill or decode step."""
        self._take_inbox()
        for seq in self.scheduler.collect_cancelled():
            self._finish(seq)
        batch = self.scheduler.schedule()
        if batch is None:
            self._count(0)
            return
        batch, token_ids = self._run(batch)
        finished = self.scheduler.postprocess(batch, token_ids)
        for seq in batch.seqs:
            self._handles[seq.seq_id]._emit_new_tokens()
        for seq in finished:
            self._finish(seq)
        self._count(len(token_ids))

    def _run(self, batch: Batch) -> tuple[Batch, list[int]]:
        """Run ``batch``; if the model call fails, run each sequence alone so only the failing ones end.

        The failed call may have half-updated every row's state in place; running alone re-prefills
        each sequence from its tokens, which rebuilds its state exactly.
        """
        try:
            return batch, self.runner.run(batch)
        except Exception:
            survivors, token_ids = [], []
            for seq in batch.seqs:
                try:
                    token_ids.append(self.runner.run_alone(seq))
                    survivors.append(seq)
                except Exception as error:
                    self.scheduler.abort(seq, f"the model failed on it: {type(error).__name__}: {error}")
                    self._finish(seq)
            return Batch(batch.kind, survivors), token_ids

    def metrics(self) -> EngineMetrics:
        """A consistent snapshot, taken at the end of the last step (safe from any thread)."""
        with self._wakeup:
            now = time.monotonic()
            window = [(t, n) for t, n in self._recent if now - t <= RATE_WINDOW_S]
            span = now - window[0][0] if len(window) > 1 else 0.0
            rate = sum(n for _, n in window[1:]) / span if span > 0 else 0.0
            running, waiting, slots, kv_tokens = self._occupancy
            return EngineMetrics(
                running=running,
                waiting=waiting + len(self._inbox),
                tokens_per_second=rate,
                tokens_generated=self._tokens_generated,
                slots_in_use=slots,
                kv_tokens_in_use=kv_tokens,
                memory_bytes_in_use=self.pool.bytes_in_use(slots, kv_tokens),
                memory_bytes_allocated=self.pool.bytes_allocated,
            )

    # -- background loop ------------------------------------------------------------------------
    def start(self) -> Engine:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="flashtutor-engine", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop the loop; unfinished requests end with an error rather than hanging their callers."""
        with self._wakeup:
            self._stopping = True
            self._wakeup.notify()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._fail_all("the engine was shut down")

    def __enter__(self) -> Engine:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _loop(self) -> None:
        try:
            while True:
                with self._wakeup:
                    while not self._stopping and not self._inbox and self.scheduler.is_idle:
                        self._wakeup.wait()
                    if self._stopping:
                        return
                self.step()
        except Exception as error:  # a bug outside any one request must reach every caller, not hang them
            self._failure = f"{type(error).__name__}: {error}"
            self._fail_all(self._failure)
            raise

    def _wake(self) -> None:
        with self._wakeup:
            self._wakeup.notify()

    def _take_inbox(self) -> None:
        with self._wakeup:
            new, self._inbox = self._inbox, []
        for seq in new:
            self.scheduler.add(seq)

    def _finish(self, seq: Sequence) -> None:
        self.runner.forget(seq)
        with self._wakeup:
            handle = self._handles.pop(seq.seq_id)
        handle._finish(seq.error)

    def _fail_all(self, reason: str) -> None:
        with self._wakeup:
            handles, self._handles, self._inbox = list(self._handles.values()), {}, []
        for handle in handles:
            handle.seq.finish(FinishReason.ERROR, reason)
            handle._finish(error=reason)

    def _count(self, tokens: int) -> None:
        """Record a finished step for metrics; only the loop thread touches the scheduler itself."""
        now = time.monotonic()
        sched = self.scheduler
        occupancy = (len(sched.running), len(sched.waiting), sched.slots_in_use, sched.kv_tokens_in_use)
        with self._wakeup:
            self._occupancy = occupancy
            self._recent.append((now, tokens))
            while self._recent and now - self._recent[0][0] > RATE_WINDOW_S:
                self._recent.popleft()
            self._tokens_generated += tokens
