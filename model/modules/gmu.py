"""Gated memory unit: cross-decoder layers that reuse the memory-producing Mamba layer's scan output.

GMU(x) = out_proj(silu(in_proj(x)) * m), where m is the pre-gate scan output of layer n/2 at the same
positions. It keeps no state of its own: decoding a token only needs that token's memory.
"""

from __future__ import annotations

from torch import Tensor, nn

from model.config import SambaYConfig
from model.kernels import gated_silu


class GatedMemoryUnit(nn.Module):
    def __init__(self, config: SambaYConfig) -> None:
        super().__init__()
        self.in_proj = nn.Linear(config.hidden_size, config.d_inner, bias=False)
        self.out_proj = nn.Linear(config.d_inner, config.hidden_size, bias=False)

    def forward(self, x: Tensor, memory: Tensor) -> Tensor:
        """x [..., D] and memory [..., E] at the same positions -> [..., D]."""
        return self.out_proj(gated_silu(self.in_proj(x), memory))
