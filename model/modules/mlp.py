"""SwiGLU feed-forward block with the checkpoint's fused up-projection (fc1 rows = [gate | up])."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from model.kernels import gated_silu
from model.kernels.native import untracked
from model.kernels.prompt import prompt_linear
from model.scratch import scratch

PROMPT_ROWS = 1024  # a prompt's rows per up-projection into the reused buffer (42 MB at SambaY's width)
SCRATCH_ROWS = 16  # fewer rows (a decode step) are small enough to allocate


class SwiGLU(nn.Module):
    def __init__(self, hidden_size: int, intermediate_size: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(hidden_size, 2 * intermediate_size, bias=False)
        self.fc2 = nn.Linear(intermediate_size, hidden_size, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        rows = x.reshape(-1, x.shape[-1])
        if rows.shape[0] <= SCRATCH_ROWS or not self._projects_into_scratch(x):
            gate, up = self.fc1(x).chunk(2, dim=-1)
            return self.fc2(gated_silu(gate, up))
        weight = self.fc1.weight
        blocks = []
        for start in range(0, rows.shape[0], PROMPT_ROWS):
            block = rows[start : start + PROMPT_ROWS]
            hidden = scratch((block.shape[0], weight.shape[0]), x.dtype, x.device)
            prompt_linear(block, weight, out=hidden)  # dead once gated: the next layer reuses it
            blocks.append(self.fc2(gated_silu(*hidden.chunk(2, dim=-1))))
        out = blocks[0] if len(blocks) == 1 else torch.cat(blocks)
        return out.view(*x.shape[:-1], out.shape[-1])

    def _projects_into_scratch(self, x: Tensor) -> bool:
        """fc1 multiplies by its plain weight (nn.Linear, or the "bf16" layout of model.packing, not a
        packed or int8 one), of x's dtype, without bias, on the CPU, outside autograd (out= products
        record no graph)."""
        plain = isinstance(self.fc1, nn.Linear) or getattr(self.fc1, "layout", None) == "bf16"
        weight, bias = getattr(self.fc1, "weight", None), getattr(self.fc1, "bias", None)
        usable = isinstance(weight, Tensor) and weight.dtype == x.dtype and bias is None
        return plain and usable and untracked(x, weight)
