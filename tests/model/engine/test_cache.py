"""The state pool on the tiny SambaY fixture: memory accounting."""

from __future__ import annotations

import pytest
import torch

from model.engine.cache import StatePool, state_bytes
from model.loader import load_model


@pytest.fixture(scope="module")
def model(tiny_model_path):
    return load_model(tiny_model_path, device="cpu", dtype=torch.float32)


def test_global_kv_costs_one_layer_per_token(model) -> None:
    fixed, per_token = state_bytes(model, torch.float32)
    # one global K and V: 4 kv heads x head_dim 8 x 2 x 4 bytes
    assert per_token == 2 * 4 * 8 * 4
    assert fixed > 0


def test_pool_accounts_bytes(model) -> None:
    pool = StatePool(model, num_slots=3, max_seq_len=20)
    assert pool.bytes_allocated == 3 * (pool.fixed_bytes_per_slot + 20 * pool.kv_bytes_per_token)
    assert pool.bytes_in_use(2, 15) == 2 * pool.fixed_bytes_per_slot + 15 * pool.kv_bytes_per_token


def test_slots_for_memory_fits_the_budget_or_says_why_not(model) -> None:
    fixed, per_token = state_bytes(model, torch.float32)
    slot = fixed + 100 * per_token
    assert StatePool.slots_for_memory(model, 9 * slot, 100, torch.float32) == 9
    with pytest.raises(ValueError, match="cannot hold even one sequence"):
        StatePool.slots_for_memory(model, slot - 1, 100, torch.float32)

