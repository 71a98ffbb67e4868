"""Choosing the next token from a batch of logits, with temperature, top-k and top-p set per row.

Greedy rows (temperature 0) take the argmax; the others draw from their own ``torch.Generator`` when
one is given, so a seeded request is reproducible whatever else shares its batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor


def check_sampling(temperature: float, top_p: float, top_k: int | None) -> None:
    """Raise ``ValueError`` naming the setting when one row's sampling settings are out of range."""
    if not temperature >= 0:
        raise ValueError(f"temperature must be >= 0 (0 means greedy), got {temperature}")
    if not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {top_p}")
    if top_k is not None and top_k < 0:
        raise ValueError(f"top_k must be >= 0 (0 or None keeps every token), got {top_k}")


def sample(
    logits: Tensor,
    temperature: Sequence[float],
    top_p: Sequence[float],
    top_k: Sequence[int | None],
    generators: Sequence[torch.Generator | None] | None = None,
    banned: Tensor | None = None,
) -> Tensor:
    """Next token ids [B] for logits [B, V]; ``top_k`` 0 or None keeps the whole vocabulary. Ids in
    ``banned`` (a 1-D id tensor: those the tokenizer cannot decode) are never chosen."""
    batch, vocab = logits.shape
    generators = generators if generators is not None else [None] * batch
    if not len(temperature) == len(top_p) == len(top_k) == len(generators) == batch:
        raise ValueError(f"sampling needs one temperature, top_p, top_k and generator per row ({batch} rows)")
    for t, p, k in zip(temperature, top_p, top_k, strict=True):
        check_sampling(t, p, k)
    device = logits.device
    if banned is not None and banned.numel():
        logits = logits.index_fill(-1, banned.to(device), float("-inf"))
    greedy = torch.tensor([t == 0 for t in temperature], device=device)
    temps = torch.tensor([t if t > 0 else 1.0 for t in temperature], device=device, dtype=torch.float32)
    keep_k = torch.tensor([k if k else vocab for k in top_k], device=device)
    keep_p = torch.tensor(list(top_p), device=device, dtype=torch.float32)

    sorted_logits, order = (logits.float() / temps[:, None]).sort(dim=-1, descending=True)  # [B, V]
    rank = torch.arange(vocab, device=device)[None]
    sorted_logits = sorted_logits.masked_fill(rank >= keep_k[:, None], float("-inf"))
    probs = sorted_logits.softmax(-1)
    # Keep the smallest prefix whose mass reaches top_p: a token stays if the mass before it is below p.
    probs = probs.masked_fill(probs.cumsum(-1) - probs >= keep_p[:, None], 0.0)
    picks = [torch.multinomial(probs[row], 1, generator=generators[row]) for row in range(batch)]
    sampled = order.gather(-1, torch.stack(picks))[:, 0]
    return torch.where(greedy, logits.argmax(-1), sampled)
