"""The fast kernels give the reference kernels' results, across chunk boundaries and ragged rows."""

from __future__ import annotations

import pytest
import torch

from model.kernels import fast, reference

TOLERANCE = 1e-5


@pytest.fixture(params=[3, 64], ids=["chunk3", "chunk64"])
def small_chunks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run with tiny chunks too, so a short test sequence crosses many chunk boundaries."""
    monkeypatch.setattr(fast, "SCAN_CHUNK", request.param)
    monkeypatch.setattr(fast, "QUERY_CHUNK", request.param)
    return request.param


def test_chunked_scan_equals_the_token_loop(small_chunks: int) -> None:
    torch.manual_seed(0)
    B, L, E, N = 3, 23, 6, 5
    u, delta = torch.randn(B, L, E), torch.rand(B, L, E) * 2
    A, Bm, Cm, D = -torch.rand(E, N) * 8, torch.randn(B, L, N), torch.randn(B, L, N), torch.randn(E)
    lengths = torch.tensor([23, 7, 1])
    for row_lengths in (None, lengths):
        y, last = fast.selective_scan(u, delta, A, Bm, Cm, D, row_lengths)
        y_ref, last_ref = reference.selective_scan(u, delta, A, Bm, Cm, D, row_lengths)
        assert y.dtype == last.dtype == torch.float32
        assert torch.allclose(y, y_ref, atol=TOLERANCE)
        assert torch.allclose(last, last_ref, atol=TOLERANCE)


def test_chunked_scan_takes_low_precision_inputs() -> None:
    torch.manual_seed(1)
    B, L, E, N = 1, 70, 4, 3
    args = (torch.randn(B, L, E), torch.rand(B, L, E), -torch.rand(E, N), torch.randn(B, L, N))
    args = (*(t.bfloat16() for t in args), torch.randn(B, L, N).bfloat16(), torch.randn(E).bfloat16())
    y, last = fast.selective_scan(*args)
    y_ref, last_ref = reference.selective_scan(*args)
    assert torch.allclose(y, y_ref, atol=TOLERANCE) and torch.allclose(last, last_ref, atol=TOLERANCE)


@pytest.mark.parametrize("window", [None, 1, 4, 9])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_blocked_attention_equals_the_full_matrix(small_chunks: int, window: int | None, dtype) -> None:
    torch.manual_seed(2)
    B, Hq, Hk, L, Dh, Dv = 2, 6, 2, 19, 8, 16  # 3 query heads per kv head, a value size unlike the key's
    q, k, v = (torch.randn(B, h, L, d).to(dtype) for h, d in ((Hq, Dh), (Hk, Dh), (Hk, Dv)))
    out = fast.attention(q, k, v, window=window)
    expected = reference.attention(q, k, v, window=window)
    assert out.dtype == dtype and out.shape == (B, Hq, L, Dv)
    assert torch.allclose(out.float(), expected.float(), atol=TOLERANCE if dtype == torch.float32 else 1e-2)


def test_attention_with_an_explicit_mask_per_row() -> None:
    torch.manual_seed(3)
    q, k, v = torch.randn(2, 4, 1, 8), torch.randn(2, 2, 11, 8), torch.randn(2, 2, 11, 8)
    visible = torch.arange(11)[None, None] <= torch.tensor([3, 10])[:, None, None]  # [B, 1, Lk]
    out = fast.attention(q, k, v, visible)
    assert torch.allclose(out, reference.attention(q, k, v, visible), atol=TOLERANCE)
    # Keys a row cannot see do not matter: row 0 ignores everything after position 3.
    k[0, :, 4:], v[0, :, 4:] = 1e3, -1e3
    assert torch.allclose(fast.attention(q, k, v, visible)[0], out[0], atol=TOLERANCE)


@pytest.mark.parametrize(("heads", "kv_heads", "queries"), [(40, 20, 1), (8, 4, 3), (12, 4, 2), (4, 4, 1)])
def test_paired_attention_is_both_differential_branches(heads: int, kv_heads: int, queries: int) -> None:
    """One pass for both branches equals each branch on its own: branch b takes query heads b::2 and
    key heads b::2, and both read every (paired) value head."""
    torch.manual_seed(heads + queries)
    batch, keys, dim = 2, 13, 8
    q, k = torch.randn(batch, heads, queries, dim), torch.randn(batch, kv_heads, keys, dim)
    v = torch.randn(batch, kv_heads // 2, keys, 2 * dim)
    newest = torch.tensor([4, 12])[:, None, None] - torch.arange(queries)[:, None]  # [B, Lq, 1]
    visible = torch.arange(keys)[None, None] <= newest
    both = fast.paired_attention(q, k, v, visible)
    assert both.shape == (2, batch, heads // 2, queries, 2 * dim)
    for branch in (0, 1):
        expected = reference.attention(q[:, branch::2], k[:, branch::2], v, visible)
        assert torch.allclose(both[branch], expected, atol=TOLERANCE)


def test_a_window_of_one_returns_each_tokens_own_value() -> None:
    q, k, v = torch.randn(1, 2, 9, 4), torch.randn(1, 1, 9, 4), torch.randn(1, 1, 9, 4)
    assert torch.allclose(fast.attention(q, k, v, window=1), v.expand(1, 2, 9, 4), atol=TOLERANCE)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_blocked_gated_silu_equals_the_reference(monkeypatch: pytest.MonkeyPatch, dtype: torch.dtype) -> None:
    monkeypatch.setattr(fast, "SILU_BLOCK", 7 * 3)  # three rows a block: a ragged last block too
    torch.manual_seed(2)
    gate, x = (torch.randn(2, 5, 7) * 6).to(dtype), torch.randn(2, 5, 7).to(dtype)
    out, expected = fast.gated_silu(gate, x), reference.gated_silu(gate, x)
    assert out.dtype == dtype and out.shape == expected.shape
    # float32 differs only in rounding; bf16 results round from those float32 values (one bf16 step at most)
    bound = TOLERANCE if dtype == torch.float32 else expected.float().abs().max().item() * 2**-7
    assert torch.allclose(out.float(), expected.float(), atol=bound, rtol=0)
