"""The per-process engine host: one model and one engine, shared by every task in the process.

Tasks call ``generate`` from many threads at once; the engine batches them into shared decode
steps. The host adds what the engine leaves to its caller: chat-template prompts, streaming text to
the web side, cancel flags and time limits (checked by one watcher thread), interactive-before-batch
admission, and a heartbeat so the web side can tell whether any worker is alive.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import socket
import threading
import time
from pathlib import Path

import torch

from app.contract import (
    Generation,
    GenerationFailed,
    GenerationRequest,
    Overloaded,
    WorkerHeartbeat,
)
from app.worker.flags import Flags, cancel_flag
from app.worker.streams import StreamEvent, TokenStreams
from model.engine.engine import Engine, EngineConfig, EngineError
from model.engine.sequence import FinishReason, InvalidRequest, SamplingParams
from model.hub import resolve_checkpoint
from model.kernels import native
from model.loader import load_model
from model.tokenizer import StreamDecoder, Tokenizer, TokenizerError, load_tokenizer
from tutor.reasoning import CLOSE_TRACE, still_thinking

log = logging.getLogger(__name__)
HEARTBEAT_TTL_S = 5.0
_STATUS = {FinishReason.STOP: "done", FinishReason.LENGTH: "length", FinishReason.CANCELLED: "cancelled"}


def resolve_device(device: str, dtype: str) -> tuple[str, torch.dtype]:
    """'auto' means the GPU when there is one, else the CPU; dtype 'auto' means bfloat16 on both (on a
    CPU the linear layers then run from packed fp16 weights, see model.packing: float32 would double the
    memory and read twice the bytes per token for no gain in speed)."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(f"device {device!r} was requested but this machine has no CUDA GPU")
    if dtype == "auto":
        dtype = "bfloat16"
    return device, getattr(torch, dtype)


class _Active:
    def __init__(self, handle, deadline: float) -> None:
        self.handle = handle
        self.deadline = deadline
        self.stopped_as: str | None = None  # "cancelled" or "timeout" once the watcher stops it


class EngineHost:
    def __init__(
        self,
        engine: Engine,
        tokenizer: Tokenizer,
        streams: TokenStreams,
        flags: Flags,
        *,
        vocab_size: int,
        stop_token_ids: tuple[int, ...] = (),
        max_waiting: int = 64,
        poll_s: float = 0.05,
        name: str | None = None,
    ) -> None:
        self.engine = engine.start()
        self.tokenizer = tokenizer
        self.streams = streams
        self.flags = flags
        self.vocab_size = vocab_size
        self.stop_token_ids = stop_token_ids
        self.max_waiting = max_waiting
        self.poll_s = poll_s
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        slots = engine.config.num_slots
        self.batch_limit = max(1, slots - max(1, slots // 4))  # batch never takes the last quarter
        self.peak_running = 0
        self._active: dict[str, _Active] = {}
        self._in_flight = {"interactive": 0, "batch": 0}
        self._gate = threading.Condition()
        self._closed = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="flashtutor-host-watcher", daemon=True)
        self._watcher.start()

    @classmethod
    def from_checkpoint(
        cls,
        model_path: Path,
        streams: TokenStreams,
        flags: Flags,
        *,
        device: str = "auto",
        dtype: str = "auto",
        quantize: str | None = None,
        native_kernels: bool = True,
        config: EngineConfig | None = None,
        **options,
    ) -> EngineHost:
        """Load the checkpoint once for this process and start its engine."""
        model_path = resolve_checkpoint(model_path)
        device_name, torch_dtype = resolve_device(device, dtype)
        native.enable(native_kernels)
        model = load_model(model_path, device=device_name, dtype=torch_dtype, quantize=quantize)
        tokenizer = load_tokenizer(model_path)
        card = json.loads((Path(model_path) / "config.json").read_text())
        vocab_size = card["vocab_size"]
        stops = {card.get("eos_token_id"), *tokenizer.eos_token_ids}
        stop_token_ids = tuple(sorted(t for t in stops if t is not None and t < vocab_size))
        engine = Engine(model, config or EngineConfig(), tokenizer)
        return cls(
            engine, tokenizer, streams, flags, vocab_size=vocab_size, stop_token_ids=stop_token_ids, **options
        )

    def generate(self, request: GenerationRequest) -> Generation:
        """Run one request to the end, streaming its text; the stream always gets an end event."""
        try:
            generation = self._generate(request)
        except Exception as error:
            self.streams.append(request.request_id, StreamEvent(status="error", error=str(error)))
            raise
        self.streams.append(request.request_id, StreamEvent(status=generation.status))
        return generation

    def status(self) -> WorkerHeartbeat:
        metrics = self.engine.metrics()
        with self._gate:
            in_flight = dict(self._in_flight)
        return WorkerHeartbeat(
            name=self.name,
            running=metrics.running,
            waiting=metrics.waiting,
            slots=self.engine.config.num_slots,
            tokens_per_second=round(metrics.tokens_per_second, 1),
            tokens_generated=metrics.tokens_generated,
            peak_running=self.peak_running,
            in_flight=in_flight,
        )

    def close(self) -> None:
        self._closed.set()
        self._watcher.join()
        self.engine.close()

    # -- one request --------------------------------------------------------------------------
    def _generate(self, request: GenerationRequest) -> Generation:
        started = time.monotonic()
        prompt = self._prompt_ids(request)
        room = self.engine.config.max_seq_len - len(prompt)
        if room < 1:
            raise GenerationFailed(f"the question is too long for the model ({len(prompt)} tokens)")
        params = SamplingParams(
            max_tokens=min(request.max_tokens, room),
            temperature=request.temperature,
            top_p=request.top_p,
            seed=request.seed,
            stop_token_ids=self.stop_token_ids,
        )
        self._admit(request.priority, started + request.time_limit_s)
        try:
            if self.flags.get(cancel_flag(request.request_id)):
                return Generation(request.request_id, "", "cancelled", len(prompt), 0, 0)
            active = _Active(self.engine.submit(prompt, params), started + request.time_limit_s)
            with self._gate:
                self._active[request.request_id] = active
            text, tokens = self._stream(request, active, prompt, params)
            status = active.stopped_as or _STATUS[active.handle.seq.finish_reason]
        except (EngineError, InvalidRequest) as error:
            raise GenerationFailed(f"the model could not answer: {error}") from error
        finally:
            with self._gate:
                self._active.pop(request.request_id, None)
                self._in_flight[request.priority] -= 1
                self._gate.notify_all()
        latency_ms = int((time.monotonic() - started) * 1000)
        return Generation(request.request_id, text, status, len(prompt), tokens, latency_ms)

    def _prompt_ids(self, request: GenerationRequest) -> list[int]:
        try:
            ids = request.prompt_token_ids or self.tokenizer.apply_chat_template(request.messages)
        except TokenizerError as error:
            raise GenerationFailed(f"the question cannot be put to the model: {error}") from error
        too_big = [t for t in ids if not 0 <= t < self.vocab_size]
        if too_big:
            raise GenerationFailed(
                f"prompt token {too_big[0]} is outside the model's vocabulary of {self.vocab_size}: "
                "the tokenizer does not match this checkpoint"
            )
        return list(ids)

    def _admit(self, priority: str, deadline: float) -> None:
        """Interactive work goes straight in; batch work waits for room so it never delays it."""
        with self._gate:
            if priority == "interactive":
                if self._in_flight["interactive"] >= self.engine.config.num_slots + self.max_waiting:
                    raise Overloaded("the tutor model is busy right now; please try again in a minute")
            elif not self._gate.wait_for(
                lambda: sum(self._in_flight.values()) < self.batch_limit, timeout=deadline - time.monotonic()
            ):
                raise Overloaded("the model stayed busy with interactive work past this request's time limit")
            self._in_flight[priority] += 1

    def _stream(
        self, request: GenerationRequest, active: _Active, prompt: list[int], params: SamplingParams
    ) -> tuple[str, int]:
        """Stream the reply's text; -> (text, tokens generated).

        A reasoning trace still open after ``request.thinking_s`` is closed for the model: the
        sequence stops, and a new one continues from everything so far plus the closing tag, so the
        model answers from the thinking it has done instead of thinking past the learner's patience.
        """
        think_until = None if request.thinking_s is None else time.monotonic() + request.thinking_s
        decoder, text, generated = StreamDecoder(self.tokenizer), "", []
        while True:
            for token_id in active.handle:
                if token_id in self.stop_token_ids:
                    continue
                generated.append(token_id)
                if piece := decoder.push(token_id):
                    text += piece
                    self.streams.append(request.request_id, StreamEvent(text=piece))
                if think_until is not None and time.monotonic() > think_until and still_thinking(text):
                    active.handle.cancel()
            if think_until is None or active.stopped_as or not still_thinking(text):
                break
            think_until = None  # once: from here the model answers
            closing = decoder.flush() + CLOSE_TRACE
            text += closing
            self.streams.append(request.request_id, StreamEvent(text=closing))
            generated += self.tokenizer.encode(CLOSE_TRACE)
            budget = params.max_tokens - len(generated)
            if budget < 1:
                break
            handle = self.engine.submit([*prompt, *generated], dataclasses.replace(params, max_tokens=budget))
            with self._gate:
                active.handle = handle
                if active.stopped_as:  # cancelled or out of time while the new sequence was queued
                    handle.cancel()
        if tail := decoder.flush():
            text += tail
            self.streams.append(request.request_id, StreamEvent(text=tail))
        return text, len(generated)

    # -- the watcher: cancel flags, deadlines, heartbeat ---------------------------------------
    def _watch(self) -> None:
        next_beat = 0.0
        while not self._closed.wait(self.poll_s):
            try:
                next_beat = self._watch_once(next_beat)
            except Exception:  # e.g. Redis restarting: keep watching rather than stop honouring cancels
                log.exception("the engine host's watcher failed; retrying")

    def _watch_once(self, next_beat: float) -> float:
        """One pass: stop cancelled and overdue requests, sample the batch size, maybe send a heartbeat."""
        with self._gate:
            active = list(self._active.items())
        flags = self.flags.get_many([cancel_flag(request_id) for request_id, _ in active])
        now = time.monotonic()
        for (_, entry), flag in zip(active, flags, strict=True):
            if flag or now > entry.deadline:
                entry.stopped_as = entry.stopped_as or ("cancelled" if flag else "timeout")
                entry.handle.cancel()  # also a sequence that replaced a stopped one
        self.peak_running = max(self.peak_running, self.engine.metrics().running)
        if now >= next_beat:
            self.flags.put(f"worker:{self.name}", self.status().to_json(), HEARTBEAT_TTL_S)
            next_beat = now + 1.0
        return next_beat
