"""Mamba-1 selective state-space mixer: full-sequence ``forward``, one-token ``step``, ``allocate_state``.

Shapes: B batch, L length, D model width, E inner width (expand * D), N state size, R dt rank, K conv width.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from model.config import SambaYConfig
from model.derived import derived
from model.kernels import conv1d_silu, conv_step_silu, gated_silu, selective_scan, state_update
from model.kernels.gemv import linear
from model.state import MambaState, slot_rows


class Mamba(nn.Module):
    """Returns the gated output and the pre-gate scan output y = C·s + D·u (the GMU memory at layer n/2)."""

    def __init__(self, config: SambaYConfig, exports_memory: bool = False) -> None:
        super().__init__()
        D, E, N, R, K = (
            config.hidden_size,
            config.d_inner,
            config.mamba_d_state,
            config.dt_rank,
            config.mamba_d_conv,
        )
        self.exports_memory = exports_memory
        self.in_proj = nn.Linear(D, 2 * E, bias=config.mamba_proj_bias)
        # Holds the depthwise filter in the checkpoint's layout [E, 1, K]; the kernels apply it.
        self.conv1d = nn.Conv1d(E, E, K, groups=E, bias=config.mamba_conv_bias)
        self.x_proj = nn.Linear(E, R + 2 * N, bias=False)
        self.dt_proj = nn.Linear(R, E, bias=True)
        # A_log stays float32 whatever the model dtype (the checkpoint stores it that way).
        self.A_log = nn.Parameter(torch.log(torch.arange(1, N + 1, dtype=torch.float32)).repeat(E, 1))
        self.D = nn.Parameter(torch.ones(E))
        self.out_proj = nn.Linear(E, D, bias=config.mamba_proj_bias)

    def forward(
        self,
        x: Tensor,
        state: MambaState | None = None,
        slots: Tensor | None = None,
        lengths: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """x [B, L, D] -> (out [B, L, D], memory [B, L, E]); with ``state``, leave row b's state after
        its first ``lengths[b]`` positions in slot ``slots[b]``."""
        x_in, z = self.in_proj(x).chunk(2, dim=-1)  # [B, L, E] each
        u = conv1d_silu(x_in, self.conv1d.weight[:, 0], self.conv1d.bias)
        delta, B, C = self._ssm_inputs(u)
        y, last_state = selective_scan(u, delta, self._A(), B, C, self.D, lengths)  # float32
        if state is not None:
            assert slots is not None and lengths is not None
            state.conv[slots] = _last_inputs(x_in, lengths, state.conv.shape[-1]).to(state.conv.dtype)
            state.ssm[slots] = last_state.to(state.ssm.dtype)
        return self._output(y, z), y.to(x.dtype)

    def step(self, x: Tensor, state: MambaState, slots: Tensor) -> tuple[Tensor, Tensor]:
        """One token per row: x [B, D] -> (out [B, D], memory [B, E]); updates the rows' slots in place."""
        x_in, z = self.in_proj(x).chunk(2, dim=-1)  # [B, E]
        conv, copied = slot_rows(state.conv, slots)  # updated in place below
        u = conv_step_silu(x_in, conv, self.conv1d.weight[:, 0], self.conv1d.bias)
        if copied:
            state.conv[slots] = conv
        delta, B, C = self._ssm_inputs(u)
        ssm, copied = slot_rows(state.ssm, slots)
        y = state_update(ssm, u, delta, self._A(), B, C, self.D)  # float32
        if copied:
            state.ssm[slots] = ssm
        return self._output(y, z), y.to(x.dtype)

    def allocate_state(
        self, num_slots: int, device: torch.device | str | None, dtype: torch.dtype
    ) -> MambaState:
        E, K, N = self.D.shape[0], self.conv1d.weight.shape[-1], self.A_log.shape[1]
        return MambaState(
            conv=torch.zeros(num_slots, E, K - 1, device=device, dtype=dtype),
            ssm=torch.zeros(num_slots, E, N, device=device, dtype=dtype),
        )

    def _A(self) -> Tensor:
        """-exp(A_log) [E, N], remade only when A_log changes (a decode step would otherwise spend
        about 0.3 ms per layer on it)."""
        return derived(self, "_A_kept", (self.A_log,), lambda: -torch.exp(self.A_log.float()))

    def _ssm_inputs(self, u: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """delta [..., E] (float32, softplus applied), B and C [..., N] from the conv output u."""
        R, N = self.dt_proj.in_features, self.A_log.shape[1]
        dt, B, C = self.x_proj(u).split([R, N, N], dim=-1)
        dt = linear(dt, self.dt_proj.weight)  # the bias is added in float32, as the reference kernel does
        return F.softplus(dt.float() + self.dt_proj.bias.float()), B, C

    def _output(self, y: Tensor, z: Tensor) -> Tensor:
        # Layer n/2 rounds its memory to the model dtype before gating; the others gate in float32.
        gated = gated_silu(z, y.to(z.dtype)) if self.exports_memory else gated_silu(z, y, z.dtype)
        return self.out_proj(gated)


def _last_inputs(x: Tensor, lengths: Tensor, count: int) -> Tensor:
    """The last ``count`` inputs of each row up to ``lengths[b]``, zero-padded: [B, E, count]."""
    padded = F.pad(x, (0, 0, count, 0))  # [B, count + L, E]
    index = lengths[:, None] + torch.arange(count, device=x.device)  # [B, count]
    rows = torch.arange(x.shape[0], device=x.device)[:, None]
    return padded[rows, index].transpose(1, 2)
