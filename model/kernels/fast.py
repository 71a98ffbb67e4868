"""Faster versions of the full-sequence kernels in ``reference.py``, same results.

Where this CPU has a build of ``sequence.c`` (``model.kernels.sequence``), the scan, the convolution and
the gating run there, in one pass each. Otherwise, in PyTorch: the reference scan walks the tokens
with half a dozen small ops each; here the decays and inputs of a chunk of tokens are computed in two
large ops and the recurrence is one fused multiply-add per token, in a buffer laid out token-major so
each step touches contiguous memory. Attention never builds an L x L score matrix: queries go in
chunks, each against only the keys it can see, and grouped query heads share their key/value head
through a reshape instead of a per-head copy.
Shapes: B batch, L / Lq / Lk lengths, T chunk, E channels, N state, Hq / Hk heads, Dh / Dv head sizes.
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F
from torch import Tensor

from model.kernels import reference
from model.kernels.native import untracked
from model.kernels.sequence import native_sequence

SCAN_CHUNK = 16  # tokens per chunk: 16 x E x N float32 (5 MB at E = 5120) per buffer, near the cache
# (chunks of 64, 21 MB each, made the 3.8B model's 1,024-token scan 3x slower: 4.8 s against 1.6 s)
QUERY_CHUNK = 64  # queries per attention block: with a window of 512, a block of 64 reads 575 keys, 89%
# of them visible (blocks of 256 read 767, 67% visible; a 1,024-token prompt's layer took twice as long)
SILU_BLOCK = 1 << 18  # elements per gated-SiLU block: its float32 temporaries stay in the CPU's cache


def gated_silu(gate: Tensor, x: Tensor, dtype: torch.dtype | None = None) -> Tensor:
    """``reference.gated_silu`` (silu(gate) * x in float32), rounded once to ``dtype`` (x's by default).

    On a prompt the whole-tensor version streams five float32 temporaries of L x 10,240 through memory
    (about 130 ms per MLP for 1,024 tokens); blocks that fit in the cache make it about 20x faster, and
    the native kernel, which keeps everything in registers, faster again."""
    dtype = dtype or x.dtype
    kernels = native_sequence() if dtype == torch.bfloat16 and untracked(gate, x) else None
    out = None if kernels is None else kernels.gated_silu(gate, x)
    if out is not None:
        return out
    channels = x.shape[-1]
    flat_gate, flat_x = gate.reshape(-1, channels), x.reshape(-1, channels)
    out = torch.empty(flat_x.shape, dtype=dtype, device=x.device)
    rows = max(1, SILU_BLOCK // channels)
    for start in range(0, flat_x.shape[0], rows):
        block = slice(start, start + rows)
        out[block] = F.silu(flat_gate[block].float()).mul_(flat_x[block].float())
    return out.view(x.shape)


def conv1d_silu(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """silu(``reference.causal_conv1d(x, weight, bias)``) in x's dtype: Mamba's convolution and activation."""
    kernels = native_sequence() if untracked(x, weight, bias) else None
    u = None if kernels is None else kernels.conv1d_silu(x, weight, bias)
    return u if u is not None else F.silu(reference.causal_conv1d(x, weight, bias)).to(x.dtype)


def conv_step_silu(x: Tensor, conv_state: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """silu(``reference.causal_conv1d_step``) in x's dtype, one token per row; ``conv_state`` moves on
    in place."""
    kernels = native_sequence() if untracked(x, weight, bias) else None
    u = None if kernels is None else kernels.conv_step_silu(x, conv_state, weight, bias)
    return (
        u if u is not None else F.silu(reference.causal_conv1d_step(x, conv_state, weight, bias)).to(x.dtype)
    )


def state_update(
    state: Tensor, u: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor
) -> Tensor:
    """``reference.selective_state_update`` (same arguments and results): native where it applies."""
    kernels = native_sequence() if untracked(u, delta, A, B, C, D) else None
    y = None if kernels is None else kernels.state_update(state, u, delta, A, B, C, D)
    return y if y is not None else reference.selective_state_update(state, u, delta, A, B, C, D)


def selective_scan(
    u: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor, lengths: Tensor | None = None
) -> tuple[Tensor, Tensor]:
    """``reference.selective_scan`` (same arguments and results, float32): native, or chunked."""
    kernels = native_sequence() if untracked(u, delta, A, B, C, D) else None
    found = None if kernels is None else kernels.selective_scan(u, delta, A, B, C, D, lengths)
    return found if found is not None else _chunked_scan(u, delta, A, B, C, D, lengths)


def _chunked_scan(
    u: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor, lengths: Tensor | None = None
) -> tuple[Tensor, Tensor]:
    """The scan in PyTorch, SCAN_CHUNK tokens at a time."""
    batch, length, channels = u.shape
    u, delta, A, B, C, D = (t.float() for t in (u, delta, A, B, C, D))
    rows = torch.arange(batch, device=u.device)
    state = last = u.new_zeros(batch, channels, A.shape[1])  # [B, E, N]
    y = u.new_empty(batch, length, channels)
    for start in range(0, length, SCAN_CHUNK):
        stop = min(start + SCAN_CHUNK, length)
        d = delta[:, start:stop].transpose(0, 1)  # [T, B, E]
        decay = torch.exp(d[..., None] * A)  # [T, B, E, N]
        states = (d * u[:, start:stop].transpose(0, 1))[..., None] * B[:, start:stop, None].transpose(0, 1)
        states[0].addcmul_(decay[0], state)  # states[t] = decay[t] * states[t-1] + inputs[t]
        for t in range(1, stop - start):
            states[t].addcmul_(decay[t], states[t - 1])
        state = states[-1]
        read = C[:, start:stop].transpose(0, 1)[..., None]  # [T, B, N, 1]
        y[:, start:stop] = (states @ read).squeeze(-1).transpose(0, 1) + D * u[:, start:stop]
        if lengths is not None:
            ends_here = (lengths > start) & (lengths <= stop)  # [B]
            if bool(ends_here.any()):
                index = (lengths - 1 - start).clamp(0, stop - start - 1)
                last = torch.where(ends_here[:, None, None], states[index, rows], last)
    return y, (state if lengths is None else last)


def attention(
    q: Tensor, k: Tensor, v: Tensor, visible: Tensor | None = None, window: int | None = None
) -> Tensor:
    """``reference.attention`` (same arguments and results, in q's dtype), without an L x L matrix.

    With ``visible`` None the attention is causal (query i sits at key position i), limited to the
    last ``window`` keys when a window is given; only the keys a query chunk can see are read.
    """
    length, scale = q.shape[2], q.shape[-1] ** -0.5
    if visible is not None or length <= QUERY_CHUNK:
        if visible is None:
            visible = _causal(length, k.shape[2], 0, window, q.device)
        return _attend(q, k, v, ~visible, scale).to(q.dtype)
    dtype, blocks = q.dtype, []
    # once here, not once per block; the scale goes into q (exact for power-of-two head sizes such as 64)
    q, k, v = q.float() * scale, k.float(), v.float()
    for start in range(0, length, QUERY_CHUNK):
        stop = min(start + QUERY_CHUNK, length)
        first = 0 if window is None else max(0, start - window + 1)
        hidden = _hidden(stop - start, stop - first, start - first, window, q.device)
        blocks.append(_attend(q[:, :, start:stop], k[:, :, first:stop], v[:, :, first:stop], hidden, 1.0))
    return torch.cat(blocks, dim=2).to(dtype)


@functools.cache
def paired_heads(heads: int, kv_heads: int) -> tuple[Tensor, Tensor]:
    """For each query head of differential attention, the key head and the (paired) value head it
    reads (the pairing ``paired_attention`` spells out): query head 2 (g i + r) + b reads key head
    2 i + b and value head i. Made once per shape (a decode step asks in every attention layer)."""
    group = heads // kv_heads
    head = torch.arange(heads)
    branch, within = head % 2, head // 2  # within-branch head j = g i + r
    return 2 * (within // group) + branch, within // group


def paired_attention(q: Tensor, k: Tensor, v: Tensor, visible: Tensor) -> Tensor:
    """Both branches of differential attention at once: [2, B, H/2, Lq, Dv], branch b equal to
    ``attention(q[:, b::2], k[:, b::2], v, visible)`` (q [B, H, Lq, Dh], k [B, Hk, Lk, Dh], v [B, Hk/2,
    Lk, Dv], visible [B or 1, Lq, Lk]).

    Why: the branches read the same values and interleaved halves of the keys. Rows of one product
    per key head read every key and value once per step instead of the values twice, in half the
    operations (on a 4,096-token cache the step's attention was bound by those reads)."""
    batch, heads, length, dim = q.shape
    kv_heads, pairs = k.shape[1], v.shape[1]
    group = heads // kv_heads  # query heads per key head, within a branch
    # Query head 2 (group i + r) + b reads key head 2 i + b and value head i (i < Hk/2, r < group).
    rows = q.float().view(batch, pairs, group, 2, length, dim).transpose(2, 3)  # [B, Hk/2, 2, g, Lq, Dh]
    rows = rows.reshape(batch, kv_heads, group * length, dim)  # key head 2 i + b: rows (r, query)
    scores = (rows @ k.float().transpose(-1, -2)) * dim**-0.5  # [B, Hk, g Lq, Lk]
    scores = scores.view(batch, kv_heads, group, length, -1)
    scores = scores.masked_fill(~visible[:, None, None], float("-inf"))
    probs = scores.softmax(-1).view(batch, pairs, 2 * group * length, -1)
    out = (probs @ v.float()).view(batch, pairs, 2, group, length, v.shape[-1])  # [B, Hk/2, 2, g, Lq, Dv]
    return out.permute(2, 0, 1, 3, 4, 5).reshape(2, batch, heads // 2, length, v.shape[-1]).to(q.dtype)


def _causal(queries: int, keys: int, offset: int, window: int | None, device: torch.device) -> Tensor:
    """[1, Lq, Lk]: query i (at key position offset + i) sees keys up to itself, within the window."""
    query_at = torch.arange(queries, device=device)[:, None] + offset
    key_at = torch.arange(keys, device=device)[None]
    visible = key_at <= query_at
    if window is not None:
        visible &= key_at > query_at - window
    return visible[None]


@functools.lru_cache(maxsize=64)
def _hidden(queries: int, keys: int, offset: int, window: int | None, device: torch.device) -> Tensor:
    """The keys each query of a block may not see, ~``_causal``: made once per block shape (a prompt's
    middle blocks all share one), and only ever read."""
    return ~_causal(queries, keys, offset, window, device)


def _attend(q: Tensor, k: Tensor, v: Tensor, hidden: Tensor, scale: float) -> Tensor:
    """Masked softmax attention in float32, like the reference (and, on CPUs without bf16 matrix
    units, 3-4x faster than bf16 products), float32 out; the query heads of a group are rows of one
    product. ``hidden`` [B or 1, Lq, Lk] marks the keys a query may not see."""
    batch, heads, length, dim = q.shape
    kv_heads = k.shape[1]
    group = heads // kv_heads
    grouped = q.float().reshape(batch, kv_heads, group * length, dim)  # head j reads kv head j // group
    scores = grouped @ k.float().transpose(-1, -2)  # [B, Hk, group * Lq, Lk]
    if scale != 1.0:
        scores *= scale
    scores = scores.view(batch, kv_heads, group, length, -1).masked_fill(hidden[:, None, None], float("-inf"))
    probs = scores.softmax(-1).view(batch, kv_heads, group * length, -1)
    return (probs @ v.float()).view(batch, heads, length, v.shape[-1])
