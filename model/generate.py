"""Generation for one caller: a token stream for one prompt, and a batch of prompts run to the end.

Both drive the serving engine (``model.engine``) in the caller's thread, so there is one decode loop
and one stop-string implementation (``model.engine.sequence.ReplyText``): what ``generate_stream``
yields is what the engine serves the web app, token for token, for the same seed.

The model is any object with ``allocate_state``, ``prefill`` and ``decode`` (SambaY); a tokenizer is
any object with ``decode(ids) -> str`` (and optionally ``unknown_ids(vocab_size)``, never sampled).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from model.engine.engine import Engine, EngineConfig, RequestHandle
from model.engine.sequence import SamplingParams
from model.sampling import check_sampling


class TextDecoder(Protocol):
    def decode(self, ids: Sequence[int]) -> str: ...


@dataclass(frozen=True)
class Piece:
    """One generated token and the text it completes ('' while text is held back). A last piece
    with ``token_id`` None carries text that was held back until the end."""

    token_id: int | None
    text: str = ""


def generate_stream(
    model: Any,
    ids: Sequence[int],
    *,
    max_new_tokens: int = 256,
    temperature: float = 0.6,
    top_p: float = 0.95,
    top_k: int | None = None,
    seed: int | None = None,
    stop_token_ids: Sequence[int] | None = None,
    stop_strings: Sequence[str] = (),
    tokenizer: TextDecoder | None = None,
    cancel: threading.Event | Callable[[], bool] | None = None,
) -> Iterator[int | Piece]:
    """A continuation of ``ids``: token ids, or ``Piece``s (id and text) when a tokenizer is given.

    Stops at a stop id (not yielded), a stop string (text cut before it), ``max_new_tokens`` or
    ``cancel`` (checked before every token). Stop ids default to the config's. Without a seed, each
    call draws a fresh one.
    """
    ids = _check_prompt(ids, model.config.vocab_size)
    _check_limits(max_new_tokens, temperature, top_p, top_k)
    if stop_strings and tokenizer is None:
        raise ValueError("stop_strings need a tokenizer to turn tokens into text")
    if any(not s for s in stop_strings):
        raise ValueError("stop_strings must not contain an empty string")
    params = _params(max_new_tokens, temperature, top_p, top_k, seed, stop_token_ids, stop_strings)
    engine = _engine(model, [ids], max_new_tokens, tokenizer)
    handle = engine.submit(ids, params, keep_text=tokenizer is not None)
    return _stream(engine, handle, cancel, pieces=tokenizer is not None)


def generate(
    model: Any,
    prompts: Sequence[Sequence[int]],
    *,
    max_new_tokens: int = 256,
    temperature: float = 0.6,
    top_p: float = 0.95,
    top_k: int | None = None,
    seed: int | None = None,
    stop_token_ids: Sequence[int] | None = None,
) -> list[list[int]]:
    """Continue every prompt in one batch (each row seeded with ``seed``); a row equals its prompt alone."""
    if not prompts:
        raise ValueError("generate needs at least one prompt")
    prompts = [_check_prompt(p, model.config.vocab_size) for p in prompts]
    _check_limits(max_new_tokens, temperature, top_p, top_k)
    params = _params(max_new_tokens, temperature, top_p, top_k, seed, stop_token_ids, ())
    engine = _engine(model, prompts, max_new_tokens, None)
    handles = [engine.submit(prompt, params) for prompt in prompts]
    while not all(handle.done for handle in handles):
        engine.step()
    for handle in handles:
        handle.result()  # raises EngineError if the model failed on it
    return [handle.seq.reply_token_ids for handle in handles]


def _engine(
    model: Any, prompts: list[list[int]], max_new_tokens: int, tokenizer: TextDecoder | None
) -> Engine:
    """An engine sized to exactly these prompts: one slot each, all prefilled together in one step."""
    lengths = [len(p) for p in prompts]
    config = EngineConfig(
        max_seq_len=max(lengths) + max_new_tokens, num_slots=len(prompts), max_prefill_tokens=sum(lengths)
    )
    return Engine(model, config, tokenizer)


def _params(
    max_new_tokens: int,
    temperature: float,
    top_p: float,
    top_k: int | None,
    seed: int | None,
    stop_token_ids: Sequence[int] | None,
    stop_strings: Sequence[str],
) -> SamplingParams:
    return SamplingParams(
        max_tokens=max_new_tokens,
        temperature=temperature,
        top_p=top_p,
        top_k=top_k or 0,
        seed=seed,
        stop_token_ids=None if stop_token_ids is None else tuple(stop_token_ids),  # None: the config's
        stop_strings=tuple(stop_strings),
    )


def _stream(
    engine: Engine,
    handle: RequestHandle,
    cancel: threading.Event | Callable[[], bool] | None,
    *,
    pieces: bool,
) -> Iterator[int | Piece]:
    """Step the engine for this one request, yielding each token (with its text) as it is sampled."""
    seq, sent = handle.seq, 0
    while not handle.done:
        if cancel is not None and (cancel.is_set() if isinstance(cancel, threading.Event) else cancel()):
            return
        engine.step()  # one token: a request decodes one token per step
        new, sent = seq.reply_token_ids[sent:], len(seq.reply_token_ids)
        for token in new:
            yield Piece(token, seq.text.take() if seq.text is not None else "") if pieces else token
    handle.result()  # raises EngineError if the model failed on it
    if pieces and seq.text is not None and (rest := seq.text.flush()):
        yield Piece(None, rest)


def _check_prompt(ids: Sequence[int], vocab_size: int) -> list[int]:
    ids = [int(i) for i in ids]
    if not ids:
        raise ValueError("the prompt is empty: give at least one token id")
    if min(ids) < 0 or max(ids) >= vocab_size:
        raise ValueError(f"prompt token ids must lie in [0, {vocab_size})")
    return ids


def _check_limits(max_new_tokens: int, temperature: float, top_p: float, top_k: int | None) -> None:
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
    check_sampling(temperature, top_p, top_k)
