"""The state pool: preallocated per-sequence slots of SambaY state, plus memory accounting.

Every slot holds a sequence's whole decode state: Mamba conv/SSM states and sliding-window ring
buffers (fixed size) and the one global KV cache (``max_seq_len`` positions, the only part that grows
with the sequence). A prefill overwrites everything a later step reads, so slots are reused without
a reset.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch


class StatePool:
    def __init__(
        self,
        model,
        num_slots: int,
        max_seq_len: int,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        if num_slots < 1 or max_seq_len < 1:
            raise ValueError(f"need at least one slot and one position, got {num_slots} x {max_seq_len}")
        self.num_slots = num_slots
        self.max_seq_len = max_seq_len
        self.fixed_bytes_per_slot, self.kv_bytes_per_token = state_bytes(model, dtype)
        self.state = model.allocate_state(num_slots, max_seq_len, device=device, dtype=dtype)

    @classmethod
    def slots_for_memory(
        cls, model, memory_bytes: int, max_seq_len: int, dtype: torch.dtype | None = None
    ) -> int:
        """How many slots of ``max_seq_len`` tokens fit in ``memory_bytes``."""
        fixed, per_token = state_bytes(model, dtype)
        slots = memory_bytes // (fixed + per_token * max_seq_len)
        if slots < 1:
            raise ValueError(
                f"{memory_bytes} bytes cannot hold even one sequence of {max_seq_len} tokens "
                f"({fixed + per_token * max_seq_len} bytes each); lower max_seq_len"
            )
        return slots

    @property
    def bytes_allocated(self) -> int:
        return _nbytes(self.state)

    def bytes_in_use(self, slots: int, kv_tokens: int) -> int:
        """Bytes that live sequences occupy: their fixed state plus the global-KV entries written."""
        return slots * self.fixed_bytes_per_slot + kv_tokens * self.kv_bytes_per_token


def state_bytes(model, dtype: torch.dtype | None = None) -> tuple[int, int]:
    """(fixed bytes per slot, global-KV bytes per token), measured on shape-only meta tensors."""
    one, two = (_nbytes(model.allocate_state(1, n, device="meta", dtype=dtype)) for n in (1, 2))
    return one - (two - one), two - one


def _tensors(state) -> Iterator[torch.Tensor]:
    """Every tensor in a state object, however it nests them (attributes, lists, dicts)."""
    if isinstance(state, torch.Tensor):
        yield state
    elif isinstance(state, dict):
        for value in state.values():
            yield from _tensors(value)
    elif isinstance(state, list | tuple):
        for value in state:
            yield from _tensors(value)
    elif hasattr(state, "__dict__"):
        yield from _tensors(vars(state))


def _nbytes(state) -> int:
    return sum(t.numel() * t.element_size() for t in _tensors(state))
