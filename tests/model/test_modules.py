"""Each kernel and mixer on its own: one-token steps equal the full-sequence computation."""

from __future__ import annotations

import copy

import pytest
import torch

from model.config import LayerKind, SambaYConfig
from model.kernels import causal_conv1d, causal_conv1d_step, selective_scan, selective_state_update
from model.modules import DiffAttention, Mamba
from model.state import KVCache

TOLERANCE = 1e-5
CONFIG = SambaYConfig(
    vocab_size=64,
    hidden_size=48,
    intermediate_size=32,
    num_hidden_layers=8,
    num_attention_heads=6,
    num_key_value_heads=2,
    sliding_window=4,
    mamba_d_state=5,
    mamba_d_conv=3,
    mamba_expand=2,
)


def test_causal_conv_is_the_written_formula() -> None:
    x, w, b = torch.randn(2, 7, 5), torch.randn(5, 3), torch.randn(5)
    padded = torch.cat([torch.zeros(2, 2, 5), x], dim=1)
    by_hand = torch.stack([b + sum(w[:, k] * padded[:, t + k] for k in range(3)) for t in range(7)], dim=1)
    assert torch.allclose(causal_conv1d(x, w, b), by_hand, atol=TOLERANCE)
    state = torch.zeros(2, 5, 2)
    steps = torch.stack([causal_conv1d_step(x[:, t], state, w, b) for t in range(7)], dim=1)
    assert torch.allclose(steps, by_hand, atol=TOLERANCE)
    assert torch.equal(state, x[:, -2:].transpose(1, 2))  # the last K-1 inputs


def test_scan_without_decay_is_a_running_sum() -> None:
    u = torch.randn(1, 6, 1)
    ones = torch.ones(1, 6, 1)
    y, state = selective_scan(u, ones, torch.zeros(1, 1), ones, ones, torch.zeros(1))
    assert torch.allclose(y, u.cumsum(1), atol=TOLERANCE)
    assert torch.allclose(state[0, 0, 0], u.sum(), atol=TOLERANCE)


def test_scan_steps_and_per_row_final_states() -> None:
    B, L, E, N = 3, 9, 4, 5
    u, delta = torch.randn(B, L, E), torch.rand(B, L, E)
    A, Bm, Cm, D = -torch.rand(E, N) * 3, torch.randn(B, L, N), torch.randn(B, L, N), torch.randn(E)
    y, _ = selective_scan(u, delta, A, Bm, Cm, D)
    state = torch.zeros(B, E, N)
    steps = torch.stack(
        [selective_state_update(state, u[:, t], delta[:, t], A, Bm[:, t], Cm[:, t], D) for t in range(L)],
        dim=1,
    )
    assert torch.allclose(steps, y, atol=TOLERANCE)
    lengths = torch.tensor([9, 4, 1])
    _, last = selective_scan(u, delta, A, Bm, Cm, D, lengths)
    for row, length in enumerate(lengths.tolist()):
        _, alone = selective_scan(
            *(t[row : row + 1, :length] for t in (u, delta)),
            A,
            *(t[row : row + 1, :length] for t in (Bm, Cm)),
            D,
        )
        assert torch.allclose(last[row], alone[0], atol=TOLERANCE)


@pytest.mark.parametrize("exports_memory", [False, True])
def test_mamba_step_continues_its_forward(exports_memory: bool) -> None:
    torch.manual_seed(0)
    mamba = Mamba(CONFIG, exports_memory).requires_grad_(False)
    x = torch.randn(2, 10, CONFIG.hidden_size)
    full, memory = mamba(x)
    state = mamba.allocate_state(3, None, torch.float32)
    slots = torch.tensor([2, 0])
    out, _ = mamba(x[:, :4], state, slots, torch.tensor([4, 4]))
    assert torch.allclose(out, full[:, :4], atol=TOLERANCE)
    for t in range(4, 10):
        out, mem = mamba.step(x[:, t], state, slots)
        assert torch.allclose(out, full[:, t], atol=TOLERANCE)
        assert torch.allclose(mem, memory[:, t], atol=TOLERANCE)


@pytest.mark.parametrize("layer", [1, 5])  # sliding window 4, then full attention
def test_attention_step_continues_its_forward(layer: int) -> None:
    torch.manual_seed(0)
    attention = DiffAttention(CONFIG, layer).requires_grad_(False)
    x = torch.randn(2, 11, CONFIG.hidden_size)
    full, _ = attention(x)
    cache = attention.allocate_state(2, 11, None, torch.float32)
    slots, prompt = torch.tensor([1, 0]), 2
    out, _ = attention(x[:, :prompt], cache=cache, slots=slots, lengths=torch.tensor([prompt, prompt]))
    assert torch.allclose(out, full[:, :prompt], atol=TOLERANCE)
    for t in range(prompt, 11):
        out = attention.step(x[:, t], cache, slots, torch.tensor([t, t]))
        assert torch.allclose(out, full[:, t], atol=TOLERANCE)


def test_sliding_window_sees_exactly_the_last_window_tokens() -> None:
    torch.manual_seed(0)
    sliding = DiffAttention(CONFIG, 1)
    full = copy.deepcopy(sliding)
    full.window = None
    x = torch.randn(1, 8, CONFIG.hidden_size)
    with torch.no_grad():
        a, b = sliding(x)[0], full(x)[0]
        changed_far = sliding(torch.cat([torch.randn(1, 4, CONFIG.hidden_size), x[:, 4:]], 1))[0]
    assert torch.allclose(a[:, :4], b[:, :4]) and not torch.allclose(a[:, 4:], b[:, 4:])
    assert torch.allclose(changed_far[:, 7], a[:, 7], atol=TOLERANCE)  # positions 4..7 are its window


def test_cross_attention_reads_the_shared_cache() -> None:
    torch.manual_seed(0)
    assert CONFIG.layer_kinds[7] is LayerKind.CROSS_ATTENTION
    producer, cross = (
        DiffAttention(CONFIG, 5).requires_grad_(False),
        DiffAttention(CONFIG, 7).requires_grad_(False),
    )
    assert cross.allocate_state(1, 8, None, torch.float32) is None
    x, y = torch.randn(1, 8, CONFIG.hidden_size), torch.randn(1, 8, CONFIG.hidden_size)
    _, shared = producer(x)
    full, _ = cross(y, shared_kv=shared)
    cache = producer.allocate_state(1, 8, None, torch.float32)
    assert isinstance(cache, KVCache)
    producer(x, cache=cache, slots=torch.tensor([0]), lengths=torch.tensor([8]))
    last = cross.step(y[:, 7], cache, torch.tensor([0]), torch.tensor([7]))
    assert torch.allclose(last, full[:, 7], atol=TOLERANCE)


def test_the_differential_lambda_is_remade_when_a_lambda_changes() -> None:
    """lam() is cached between decode steps; a changed parameter (a reloaded checkpoint) remakes it."""
    from model.modules.attention import DifferentialCore

    core = DifferentialCore(head_dim=8, lambda_init=0.2)

    def formula() -> torch.Tensor:
        params = (core.lambda_q1, core.lambda_k1, core.lambda_q2, core.lambda_k2)
        q1, k1, q2, k2 = (p.detach() for p in params)
        return torch.exp((q1 * k1).sum()) - torch.exp((q2 * k2).sum()) + 0.2

    with torch.inference_mode():
        first = core.lam().clone()
        assert torch.equal(core.lam(), first)
    assert torch.allclose(first, formula())
    with torch.no_grad():
        core.lambda_q1.add_(0.5)
    with torch.inference_mode():
        second = core.lam()
    assert not torch.equal(second, first) and torch.allclose(second, formula())


def test_the_mlp_of_a_prompt_through_the_reused_buffer_equals_the_plain_product(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Prompts write the up-projection into this thread's reused buffer, in blocks of PROMPT_ROWS rows;
    the output is the plain product's, and no output aliases the buffer the next call overwrites."""
    from model.modules import mlp

    torch.manual_seed(0)
    block = mlp.SwiGLU(32, 48).bfloat16()
    monkeypatch.setattr(mlp, "PROMPT_ROWS", 8)  # 20 rows: blocks of 8, 8 and 4
    x, other = torch.randn(2, 10, 32).bfloat16(), torch.randn(2, 10, 32).bfloat16()

    def plain(rows: torch.Tensor) -> torch.Tensor:
        gate, up = block.fc1(rows).chunk(2, dim=-1)
        return block.fc2(mlp.gated_silu(gate, up))

    with torch.inference_mode():
        expected = plain(x)
        found = block(x)
        kept = found.clone()
        block(other)  # reuses the buffer
        assert found.shape == x.shape
        assert torch.allclose(found.float(), expected.float(), rtol=2**-7, atol=1e-3)
        assert torch.equal(found, kept)
    y = block(x)  # with autograd: the plain path, which records the graph
    y.float().sum().backward()
    assert block.fc1.weight.grad is not None
