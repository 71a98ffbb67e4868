"""Readable pure-PyTorch versions of SambaY's kernels: causal conv, selective scan, gated SiLU, attention.

They compute in float32 and are the specification the model's numbers are checked against.
Shapes: B batch, L length, E channels (Mamba d_inner), N state size, K conv kernel width,
Lq / Lk query and key lengths, Hq / Hk query and key/value heads, Dh / Dv head sizes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def gated_silu(gate: Tensor, x: Tensor) -> Tensor:
    """silu(gate) * x in float32, returned in x's dtype (the reference's jiterator "swiglu")."""
    g = gate.float()
    return (g * x.float() / (1 + torch.exp(-g))).to(x.dtype)


def causal_conv1d(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """Depthwise causal convolution with zero left padding: x [B, L, E], weight [E, K] -> [B, L, E]."""
    length, width = x.shape[1], weight.shape[1]
    y = F.conv1d(
        x.float().transpose(1, 2),
        weight.float()[:, None, :],
        None if bias is None else bias.float(),
        padding=width - 1,
        groups=weight.shape[0],
    )
    return y[:, :, :length].transpose(1, 2)  # [B, L, E]


def causal_conv1d_step(x: Tensor, conv_state: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """One conv output for x [B, E]; conv_state [B, E, K-1] holds the previous inputs, updated in place."""
    window = torch.cat([conv_state.float(), x.float()[:, :, None]], dim=-1)  # [B, E, K]
    conv_state.copy_(window[:, :, 1:])
    y = (window * weight.float()).sum(-1)
    return y if bias is None else y + bias.float()


def selective_scan(
    u: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor, lengths: Tensor | None = None
) -> tuple[Tensor, Tensor]:
    """Mamba-1 scan from a zero state: s_t = exp(delta_t A) s_{t-1} + delta_t B_t u_t; y_t = C_t s_t + D u_t.

    u, delta [B, L, E]; A [E, N]; B, C [B, L, N]; D [E]. Returns y [B, L, E] and the state [B, E, N]
    after position ``lengths - 1`` of each row (the last position when ``lengths`` is None), all float32.
    """
    batch, length, channels = u.shape
    u, delta, A, B, C, D = (t.float() for t in (u, delta, A, B, C, D))
    state = last = u.new_zeros(batch, channels, A.shape[1])  # [B, E, N]
    ys = []
    for t in range(length):
        y_t, state = _scan_step(state, u[:, t], delta[:, t], A, B[:, t], C[:, t], D)
        ys.append(y_t)
        if lengths is not None:
            last = torch.where((lengths == t + 1)[:, None, None], state, last)
    return torch.stack(ys, dim=1), (state if lengths is None else last)


def selective_state_update(
    state: Tensor, u: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor
) -> Tensor:
    """One scan step for u, delta [B, E], B, C [B, N]; state [B, E, N] is updated in place. Returns y [B, E].

    The update is computed in float32 and rounded to the state's dtype when written back.
    """
    y, new_state = _scan_step(
        state.float(), u.float(), delta.float(), A.float(), B.float(), C.float(), D.float()
    )
    state.copy_(new_state)
    return y


def _scan_step(
    state: Tensor, u: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor
) -> tuple[Tensor, Tensor]:
    new_state = (
        state * torch.exp(delta[:, :, None] * A) + (delta * u)[:, :, None] * B[:, None, :]
    )  # [B, E, N]
    return (new_state @ C[:, :, None]).squeeze(-1) + D * u, new_state


def attention(
    q: Tensor, k: Tensor, v: Tensor, visible: Tensor | None = None, window: int | None = None
) -> Tensor:
    """Softmax attention in float32, returned in q's dtype; query head j reads kv head j // (Hq / Hk).

    q [B, Hq, Lq, Dh], k [B, Hk, Lk, Dh], v [B, Hk, Lk, Dv] -> [B, Hq, Lq, Dv].

    ``visible`` [B or 1, Lq, Lk] says which keys each query sees. None means causal (query i sits at
    key position i), limited to the last ``window`` keys (the query's own included) when given.
    """
    group = q.shape[1] // k.shape[1]
    if visible is None:
        query_at = torch.arange(q.shape[2], device=q.device)[:, None]
        key_at = torch.arange(k.shape[2], device=q.device)[None]
        visible = key_at <= query_at
        if window is not None:
            visible = visible & (key_at > query_at - window)
        visible = visible[None]
    keys = k.repeat_interleave(group, dim=1).float()
    values = v.repeat_interleave(group, dim=1).float()
    scores = q.float() @ keys.transpose(-1, -2) * q.shape[-1] ** -0.5  # [B, Hq, Lq, Lk]
    probs = scores.masked_fill(~visible[:, None], float("-inf")).softmax(-1)
    return (probs @ values).to(q.dtype)
