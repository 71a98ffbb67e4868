"""Per-sequence inference state of SambaY, preallocated once and updated in place.

Every tensor has a leading slot dimension S: a sequence owns one slot for its lifetime, and a prefill
overwrites everything a later step can read, so a slot can be reused for a new sequence without reset.
Shapes: S slots, B rows of a batch, E Mamba channels, K conv width, N SSM state, H kv heads (H' as stored),
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
    """Keys/values of one attention layer: a ring of ``window`` positions, or one entry per position.
    Values are stored in the attention's own head layout (differential attention pairs its heads)."""

    keys: Tensor  # [S, H, T, Dh]
    values: Tensor  # [S, H', T, Dv], for differential attention H' = H/2 and Dv = 2 Dh
    window: int | None  # None: T = max_len and position p lives at index p; else T = window, index p % T

    def store_prompt(self, slots: Tensor, keys: Tensor, values: Tensor, lengths: Tensor) -> None:
        """Store row b's first ``lengths[b]`` positions (keys [B, H, L, Dh], values alike) in its slot."""
        capacity = self.keys.shape[2]
        for row, (slot, length) in enumerate(zip(slots.tolist(), lengths.tolist(), strict=True)):
            start = 0 if self.window is None else max(0, length - capacity)
            index = torch.arange(start, length, device=self.keys.device) % capacity
            self.keys[slot, :, index] = keys[row, :, start:length].to(self.keys.dtype)
            self.values[slot, :, index] = values[row, :, start:length].to(self.values.dtype)

    def store_token(self, slots: Tensor, keys: Tensor, values: Tensor, positions: Tensor) -> None:
        """Store one position per row (keys [B, H, Dh], values alike) at that row's own position."""
        index = positions if self.window is None else positions % self.keys.shape[2]
        self.keys[slots, :, index] = keys.to(self.keys.dtype)
        self.values[slots, :, index] = values.to(self.values.dtype)

    def counts(self, positions: Tensor) -> Tensor:
        """How many of its slot's first cache positions a query at ``positions`` sees (always a prefix:
        a window ring's live entries are its first min(p + 1, T))."""
        return (positions + 1).clamp(max=self.keys.shape[2])

    def read(self, slots: Tensor, positions: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Keys [B, H, T', Dh], values alike and a mask [B, T'] of what a query at ``positions`` may see.

        Consecutive slots (a single sequence, or a batch in slot order) are read in place, not copied."""
        visible = int(positions.max()) + 1 if self.window is None else self.keys.shape[2]
        # A window ring's index j holds position p - ((p - j) mod T): a real position iff j <= p or p >= T-1;
        # a full cache never needs the positions after the newest query.
        keys, values = (slot_rows(t, slots)[0][:, :, :visible] for t in (self.keys, self.values))
        index = torch.arange(visible, device=keys.device)
        return keys, values, index[None, :] <= positions[:, None]


def slot_rows(tensor: Tensor, slots: Tensor) -> tuple[Tensor, bool]:
    """(tensor[slots], whether that is a copy): a view when the slots are consecutive (one sequence, or a
    batch in slot order), so an in-place update of it needs no writing back."""
    first = int(slots[0])
    if torch.equal(slots, torch.arange(first, first + slots.shape[0], device=slots.device)):
        return tensor[first : first + slots.shape[0]], False
    return tensor[slots], True


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
