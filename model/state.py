"""Per-sequence inference state of SambaY, preallocated once and updated in place.

Every tensor has a leading slot dimension S: a sequence owns one slot for its lifetime, and a prefill
overwrites everything a later step can read, so a slot can be reused for a new sequence without reset.
Shapes: S slots, B rows of a batch, E Mamba channels, K conv width, N SSM state, H kv heads,
T buffer positions, Dh head size.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass
class MambaState:
    conv: Tensor  # [S, E, K-1] the last K-1 conv inputs
    ssm: Tensor  # [S, E, N]


@dataclass
class KVCache:
    """Keys/values of one attention layer: a ring of ``window`` positions, or one entry per position."""

    keys: Tensor  # [S, H, T, Dh]
    values: Tensor  # [S, H, T, Dh]
    window: int | None  # None: T = max_len and position p lives at index p; else T = window, index p % T

    def store_prompt(self, slots: Tensor, keys: Tensor, values: Tensor, lengths: Tensor) -> None:
        """Store the first ``lengths[b]`` positions of row b (keys/values [B, H, L, Dh]) into its slot."""
        capacity = self.keys.shape[2]
        for row, (slot, length) in enumerate(zip(slots.tolist(), lengths.tolist(), strict=True)):
            start = 0 if self.window is None else max(0, length - capacity)
            index = torch.arange(start, length, device=self.keys.device) % capacity
            self.keys[slot, :, index] = keys[row, :, start:length]
            self.values[slot, :, index] = values[row, :, start:length]

    def store_token(self, slots: Tensor, keys: Tensor, values: Tensor, positions: Tensor) -> None:
        """Store one position per row (keys/values [B, H, Dh]) at that row's own position."""
        index = positions if self.window is None else positions % self.keys.shape[2]
        self.keys[slots, :, index] = keys
        self.values[slots, :, index] = values

    def read(self, slots: Tensor, positions: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Keys, values [B, H, T', Dh] and a mask [B, T'] of what a query at ``positions`` may see."""
        if self.window is None:
            visible = int(positions.max()) + 1  # positions after the newest one are never attended
            keys, values = self.keys[slots, :, :visible], self.values[slots, :, :visible]
        else:
            # Index j of the ring holds position p - ((p - j) mod T): a real position iff j <= p or p >= T-1.
            keys, values = self.keys[slots], self.values[slots]
        index = torch.arange(keys.shape[2], device=keys.device)
        return keys, values, index[None, :] <= positions[:, None]


LayerState = MambaState | KVCache | None


@dataclass
class SambaYState:
    """The state of every layer (None for GMU and cross-attention, which keep nothing)."""

    layers: list[LayerState]
    shared_kv_layer: int
    max_len: int

    @property
    def num_slots(self) -> int:
        return next(t.shape[0] for t in self.tensors())

    @property
    def shared_kv(self) -> KVCache:
        """The full-attention layer's cache, which every cross-attention layer reads."""
        cache = self.layers[self.shared_kv_layer]
        assert isinstance(cache, KVCache)
        return cache

    def tensors(self) -> list[Tensor]:
        found: list[Tensor] = []
        for layer in self.layers:
            if isinstance(layer, MambaState):
                found += [layer.conv, layer.ssm]
            elif isinstance(layer, KVCache):
                found += [layer.keys, layer.values]
        return found

    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in self.tensors())

    def bytes_per_slot(self) -> int:
        """Memory one sequence costs at this ``max_len``, for the engine's budget."""
        return self.nbytes() // self.num_slots
