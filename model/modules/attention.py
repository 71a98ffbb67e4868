"""Differential attention (self, sliding-window, and cross) with full-sequence ``forward`` and ``step``.

Heads are striped: branch 1 uses the even query/kv heads, branch 2 the odd ones; inside a branch query
head j reads kv head j // (H / H_kv). Each branch attends to both value halves, and the output is
subln(attn1 - lambda * attn2) * (1 - lambda_init) (spec 3.6). No positional encoding anywhere.
Shapes: B batch, L / Lq / Lk lengths, D model width, H query heads, Hkv kv heads, Dh head size.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from model.config import LayerKind, SambaYConfig
from model.derived import derived
from model.kernels import attention, paired_attention, paired_heads
from model.kernels.gemv import native
from model.state import KVCache

SUBLN_EPS = 1e-5  # fixed in the reference, independent of layer_norm_eps


class RMSNorm(nn.Module):
    """Statistics in float32, the normalised value rounded to the input dtype, then scaled."""

    def __init__(self, width: int, eps: float) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(width))

    def forward(self, x: Tensor) -> Tensor:
        x32 = x.float()
        return (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)).to(x.dtype) * self.weight


class DifferentialCore(nn.Module):
    """Turns striped q, k, v into the differential attention output; owns the lambdas and subln."""

    def __init__(self, head_dim: int, lambda_init: float) -> None:
        super().__init__()
        self.lambda_init = lambda_init
        # The lambdas stay float32 whatever the model dtype (the checkpoint stores them that way).
        self.lambda_q1, self.lambda_k1, self.lambda_q2, self.lambda_k2 = (
            nn.Parameter(torch.zeros(head_dim, dtype=torch.float32).normal_(0, 0.1)) for _ in range(4)
        )
        self.subln = RMSNorm(2 * head_dim, SUBLN_EPS)

    def forward(
        self, q: Tensor, k: Tensor, values: Tensor, visible: Tensor | None, window: int | None = None
    ) -> Tensor:
        """q [B, H, Lq, Dh], k [B, Hkv, Lk, Dh], values paired by ``pair_heads`` [B, Hkv/2, Lk, 2 Dh]
        -> [B, Lq, H * Dh]; ``visible`` [B or 1, Lq, Lk] or None for causal attention (within
        ``window``), as in ``model.kernels.attention``."""
        if visible is None:  # a prompt: causal blocks, each branch on its own (values widened once for both)
            values = values.float()
            branches = [attention(q[:, b::2], k[:, b::2], values, visible, window) for b in (0, 1)]
        else:  # a step or cross-attention's explicit mask: both branches in one pass over k and v
            branches = paired_attention(q, k, values, visible)
        return self.combine(branches)

    def lam(self) -> Tensor:
        """lambda = exp(lambda_q1 . lambda_k1) - exp(lambda_q2 . lambda_k2) + lambda_init (float32), remade
        only when a lambda changes (a decode step would otherwise spend eight operations per layer on it)."""
        q1, k1, q2, k2 = params = (self.lambda_q1, self.lambda_k1, self.lambda_q2, self.lambda_k2)

        def make() -> Tensor:
            return torch.exp((q1 * k1).sum().float()) - torch.exp((q2 * k2).sum().float()) + self.lambda_init

        return derived(self, "_lam_kept", params, make)

    def combine(self, branches: Tensor | list[Tensor]) -> Tensor:
        """Branches [2, B, H/2, Lq, 2 Dh] (or a list of two) -> the attention output [B, Lq, H * Dh]."""
        lam = self.lam().to(branches[0].dtype)
        out = self.subln(branches[0] - lam * branches[1]) * (1 - self.lambda_init)  # [B, H/2, Lq, 2 Dh]
        # Width 2 Dh of pair j is output heads 2j and 2j + 1, so a plain flatten restores head order.
        return out.transpose(1, 2).flatten(2)


def pair_heads(v: Tensor) -> Tensor:
    """[B, Hkv, L, Dh] -> [B, Hkv/2, L, 2 Dh]: value heads 2j and 2j+1 side by side, since both branches
    read both halves. The cache stores values this way, so a decode step reads them in place."""
    return torch.cat([v[:, 0::2], v[:, 1::2]], dim=-1)


class DiffAttention(nn.Module):
    def __init__(self, config: SambaYConfig, layer: int) -> None:
        super().__init__()
        kind = config.layer_kinds[layer]
        if kind not in (LayerKind.SLIDING_ATTENTION, LayerKind.FULL_ATTENTION, LayerKind.CROSS_ATTENTION):
            raise ValueError(f"layer {layer} is a {kind.value} layer, not an attention layer")
        self.is_cross = kind is LayerKind.CROSS_ATTENTION
        self.window = config.sliding_window if kind is LayerKind.SLIDING_ATTENTION else None
        self.num_heads, self.num_kv_heads, self.head_dim = (
            config.num_attention_heads,
            config.num_key_value_heads,
            config.head_dim,
        )
        q_size, kv_size = self.num_heads * self.head_dim, self.num_kv_heads * self.head_dim
        self.Wqkv = nn.Linear(
            config.hidden_size, q_size if self.is_cross else q_size + 2 * kv_size, bias=True
        )
        self.out_proj = nn.Linear(q_size, config.hidden_size, bias=True)
        self.inner_cross_attn = DifferentialCore(self.head_dim, config.lambda_init(layer))

    def forward(
        self,
        x: Tensor,
        shared_kv: tuple[Tensor, Tensor] | None = None,
        query_positions: Tensor | None = None,
        cache: KVCache | None = None,
        slots: Tensor | None = None,
        lengths: Tensor | None = None,
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """x [B, Lq, D] -> (out [B, Lq, D], (k [B, Hkv, Lk, Dh], paired values [B, Hkv/2, Lk, 2 Dh])).

        Keys sit at positions 0..Lk-1; queries at ``query_positions`` [B or 1, Lq] (default 0..Lq-1).
        Cross layers take k, v from ``shared_kv``. With ``cache``, self layers store each row's first
        ``lengths[b]`` keys/values in slot ``slots[b]``.
        """
        q, k, v = self._project(x)
        v = None if v is None else pair_heads(v)
        if self.is_cross:
            assert shared_kv is not None, "cross-attention needs the full-attention layer's keys/values"
            k, v = shared_kv
        elif cache is not None:
            assert slots is not None and lengths is not None
            cache.store_prompt(slots, k, v, lengths)
        visible = None  # causal: query i at position i
        if query_positions is not None:
            key_positions = torch.arange(k.shape[2], device=x.device)
            visible = key_positions[None, None] <= query_positions[:, :, None]  # [B or 1, Lq, Lk]
            if self.window is not None:  # the window includes the query itself
                visible &= key_positions[None, None] > query_positions[:, :, None] - self.window
        return self.out_proj(self.inner_cross_attn(q, k, v, visible, self.window)), (k, v)

    def step(self, x: Tensor, cache: KVCache, slots: Tensor, positions: Tensor) -> Tensor:
        """One token per row at its own position: x [B, D] -> [B, D]. Self layers write ``cache`` first;
        cross layers only read it (it is the full-attention layer's cache)."""
        q, k, v = self._project(x[:, None])
        if not self.is_cross:
            cache.store_token(slots, k[:, :, 0], pair_heads(v)[:, :, 0], positions)
        kernels = native() if cache.keys.dtype == q.dtype == torch.bfloat16 else None
        if kernels is not None:  # a bf16 cache on a CPU with the native kernels: read once, in place
            heads = paired_heads(self.num_heads, self.num_kv_heads)
            out = kernels.attend(q[:, :, 0], cache.keys, cache.values, slots, cache.counts(positions), *heads)
            if out is not None:
                branches = torch.stack([out[:, 0::2], out[:, 1::2]])[:, :, :, None].to(q.dtype)
                return self.out_proj(self.inner_cross_attn.combine(branches))[:, 0]
        keys, values, visible = cache.read(slots, positions)
        return self.out_proj(self.inner_cross_attn(q, keys, values, visible[:, None]))[:, 0]

    def allocate_state(
        self, num_slots: int, max_len: int, device: torch.device | str | None, dtype: torch.dtype
    ) -> KVCache | None:
        if self.is_cross:
            return None
        size = max_len if self.window is None else self.window
        shape = (num_slots, self.num_kv_heads, size, self.head_dim)
        paired = (num_slots, self.num_kv_heads // 2, size, 2 * self.head_dim)
        return KVCache(
            keys=torch.zeros(shape, device=device, dtype=dtype),
            values=torch.zeros(paired, device=device, dtype=dtype),
            window=self.window,
        )

    def _project(self, x: Tensor) -> tuple[Tensor, Tensor | None, Tensor | None]:
        """q [B, H, L, Dh] and, for self layers, k and v [B, Hkv, L, Dh]."""
        B, L, _ = x.shape
        qkv = self.Wqkv(x)
        q_size, kv_size = self.num_heads * self.head_dim, self.num_kv_heads * self.head_dim
        q = qkv[..., :q_size].view(B, L, self.num_heads, self.head_dim).transpose(1, 2)
        if self.is_cross:
            return q, None, None
        k, v = qkv[..., q_size:].split(kv_size, dim=-1)
        k = k.reshape(B, L, self.num_kv_heads, self.head_dim).transpose(1, 2)
        v = v.reshape(B, L, self.num_kv_heads, self.head_dim).transpose(1, 2)
        return q, k, v
