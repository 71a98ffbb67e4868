"""SwiGLU feed-forward block with the checkpoint's fused up-projection (fc1 rows = [gate | up])."""

from __future__ import annotations

from torch import Tensor, nn

from model.kernels import gated_silu


class SwiGLU(nn.Module):
    def __init__(self, hidden_size: int, intermediate_size: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(hidden_size, 2 * intermediate_size, bias=False)
        self.fc2 = nn.Linear(intermediate_size, hidden_size, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        gate, up = self.fc1(x).chunk(2, dim=-1)
        return self.fc2(gated_silu(gate, up))
