"""Generation loops over the stateful model: a token stream for one prompt, and a batched greedy-exact loop.

The model is any object with ``allocate_state``, ``prefill`` and ``decode`` (SambaY); a tokenizer is
any object with ``decode(ids) -> str``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import torch

from model.sampling import check_sampling, sample


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
    ``cancel`` (checked before every token). Stop ids default to the config's.
    """
    ids = _check_prompt(ids, model.config.vocab_size)
    _check_limits(max_new_tokens, temperature, top_p, top_k)
    if stop_strings and tokenizer is None:
        raise ValueError("stop_strings need a tokenizer to turn tokens into text")
    if any(not s for s in stop_strings):
        raise ValueError("stop_strings must not contain an empty string")
    stops = set(model.config.stop_token_ids if stop_token_ids is None else stop_token_ids)
    return _stream(
        model,
        ids,
        max_new_tokens,
        (temperature, top_p, top_k),
        _generator(model, seed),
        stops,
        _StopText(tokenizer, tuple(stop_strings)) if tokenizer is not None else None,
        cancel,
        _unknown_ids(tokenizer, model),
    )


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
    stops = set(model.config.stop_token_ids if stop_token_ids is None else stop_token_ids)
    lengths = [len(p) for p in prompts]
    device = model.device
    padded = torch.zeros(len(prompts), max(lengths), dtype=torch.long, device=device)  # right padded
    for row, prompt in enumerate(prompts):
        padded[row, : len(prompt)] = torch.tensor(prompt)
    state = model.allocate_state(len(prompts), max(lengths) + max_new_tokens)
    active = list(range(len(prompts)))  # rows still generating; row i lives in slot i
    logits = model.prefill(
        padded, state, torch.tensor(active, device=device), torch.tensor(lengths, device=device)
    )
    generators = [_generator(model, seed) for _ in prompts]
    outputs: list[list[int]] = [[] for _ in prompts]
    while active:
        n = len(active)
        sampled = sample(
            logits, [temperature] * n, [top_p] * n, [top_k] * n, [generators[r] for r in active]
        )
        next_rows, next_tokens = [], []
        for row, token in zip(active, sampled.tolist(), strict=True):
            if token in stops:
                continue
            outputs[row].append(token)
            if len(outputs[row]) < max_new_tokens:
                next_rows.append(row)
                next_tokens.append(token)
        active = next_rows
        if active:
            positions = [lengths[row] + len(outputs[row]) - 1 for row in active]
            logits = model.decode(
                torch.tensor(next_tokens, device=device),
                state,
                torch.tensor(active, device=device),
                torch.tensor(positions, device=device),
            )
    return outputs


def _stream(
    model: Any,
    ids: list[int],
    max_new_tokens: int,
    params: tuple[float, float, int | None],
    generator: torch.Generator | None,
    stops: set[int],
    text: _StopText | None,
    cancel: threading.Event | Callable[[], bool] | None,
    banned: torch.Tensor | None,
) -> Iterator[int | Piece]:
    device = model.device
    state = model.allocate_state(1, len(ids) + max_new_tokens)
    slot = torch.zeros(1, dtype=torch.long, device=device)
    logits = model.prefill(torch.tensor([ids], device=device), state, slot)
    temperature, top_p, top_k = params
    for step in range(max_new_tokens):
        if cancel is not None and (cancel.is_set() if isinstance(cancel, threading.Event) else cancel()):
            return
        token = int(sample(logits, [temperature], [top_p], [top_k], [generator], banned)[0])
        if token in stops:
            break
        if text is None:
            yield token
        else:
            piece, stopped = text.push(token)
            yield Piece(token, piece)
            if stopped:
                return
        if step + 1 < max_new_tokens:
            position = torch.tensor([len(ids) + step], device=device)
            logits = model.decode(torch.tensor([token], device=device), state, slot, position)
    if text is not None and (rest := text.flush()):
        yield Piece(None, rest)


class _StopText:
    """Incremental text of the generated ids that holds back what could still become a stop string
    (or an unfinished UTF-8 character) and reports when a stop string is complete."""

    def __init__(self, tokenizer: TextDecoder, stop_strings: tuple[str, ...]) -> None:
        self._tokenizer = tokenizer
        self._stops = stop_strings
        self._done = ""  # text of the tokens before ``_pending``, which later tokens cannot change
        self._pending: list[int] = []
        self._emitted = 0

    def push(self, token: int) -> tuple[str, bool]:
        self._pending.append(token)
        tail = self._tokenizer.decode(self._pending)
        text = self._done + tail
        if not tail.endswith("\ufffd"):  # a complete character: later tokens only append
            self._done, self._pending = text, []
        search_from = max(0, self._emitted - max((len(s) for s in self._stops), default=0))
        found = [i for s in self._stops if (i := text.find(s, search_from)) >= 0]
        if found:
            return self._take(text, min(found)), True
        hold = max((k for s in self._stops for k in range(1, len(s)) if text.endswith(s[:k])), default=0)
        safe = len(text) - hold
        while safe > self._emitted and text[safe - 1] == "\ufffd":
            safe -= 1
        return self._take(text, safe), False

    def flush(self) -> str:
        return self._take(self._done + self._tokenizer.decode(self._pending), None)

    def _take(self, text: str, end: int | None) -> str:
        end = len(text) if end is None else max(end, self._emitted)
        piece, self._emitted = text[self._emitted : end], end
        return piece


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


def _unknown_ids(tokenizer: TextDecoder | None, model: Any) -> torch.Tensor | None:
    """Ids the tokenizer cannot decode, which sampling must never pick (None without a tokenizer)."""
    unknown = getattr(tokenizer, "unknown_ids", None)
    if unknown is None:
        return None
    return torch.tensor(unknown(model.config.vocab_size), dtype=torch.long, device=model.device)


def _generator(model: Any, seed: int | None) -> torch.Generator | None:
    return None if seed is None else torch.Generator(device=model.device).manual_seed(seed)
