"""The native decode products (model/kernels/gemv.c) against their PyTorch definitions, built for every
instruction set this CPU can run, and the layers and model that use them."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from torch import nn

from model import load_model
from model.kernels.fast import paired_attention, paired_heads
from model.kernels.gemv import SOURCE, NativeGemv, native, reference_bf16, reference_int8
from model.kernels.native import build, enable
from model.packing import Int8Linear, StreamedLinear, stream_linears
from tests.model.test_decode import teacher_forced

COMPILER = shutil.which(os.environ.get("CC", "cc"))
pytestmark = pytest.mark.skipif(COMPILER is None, reason="no C compiler: the native kernels are not built")


def _cpu_has(*features: str) -> bool:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        flags = next(line for line in lines if line.startswith("flags"))
    except (OSError, StopIteration):
        return False
    return all(f" {feature}" in flags for feature in features)


# Each build takes a different path through gemv.c: bf16 pairs + VNNI bytes, AVX-512 float32, AVX2, scalar.
TARGETS = {
    "native": (("-march=native",), ()),
    "avx512-float": (("-mavx512f", "-mavx512bw", "-mavx512vl", "-mfma"), ("avx512f", "avx512bw", "avx512vl")),
    "avx2": (("-mavx2", "-mfma", "-mf16c"), ("avx2", "fma")),
    "scalar": (("-march=x86-64",), ()),
}


@pytest.fixture(scope="module", params=list(TARGETS))
def kernels(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> NativeGemv:
    flags, needs = TARGETS[request.param]
    if not _cpu_has(*needs) or os.uname().machine != "x86_64":
        pytest.skip(f"this CPU cannot run the {request.param} build")
    import ctypes

    return NativeGemv(ctypes.CDLL(str(build(SOURCE, flags, cache=tmp_path_factory.mktemp(request.param)))))


@contextlib.contextmanager
def pytorch_products() -> Iterator[None]:
    """The native kernels switched off for the block, as ``FLASHTUTOR_NATIVE_KERNELS=false`` does."""
    enable(False)
    try:
        yield
    finally:
        enable(True)


def bf16_bound(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """One bf16 rounding of the result plus float32 summation error."""
    exact = x.double() @ w.double().T
    return exact.abs() * 2**-8 + (x.double().abs() @ w.double().abs().T) * 1e-5


SHAPES = [(1, 1, 1), (1, 7, 31), (2, 5, 32), (3, 9, 33), (1, 4, 63), (4, 3, 64), (5, 6, 65), (6, 8, 127),
          (1, 11, 128), (2, 2, 129), (7, 13, 300), (1, 33, 2560)]  # fmt: skip


@pytest.mark.parametrize(("m", "n", "k"), SHAPES)
def test_bf16_products_equal_the_float32_sum(kernels: NativeGemv, m: int, n: int, k: int) -> None:
    generator = torch.Generator().manual_seed(m * 1000 + n * 10 + k)
    x = torch.randn(m, k, generator=generator).bfloat16()
    w = (torch.randn(n, k, generator=generator) * 0.05).bfloat16()
    y = kernels.bf16(x, w)
    assert y is not None and y.dtype == torch.bfloat16 and y.shape == (m, n)
    exact = x.double() @ w.double().T
    assert ((y.double() - exact).abs() <= bf16_bound(x, w)).all()
    assert ((reference_bf16(x, w).double() - exact).abs() <= bf16_bound(x, w)).all()


@pytest.mark.parametrize(("m", "n", "k"), SHAPES)
def test_int8_products_equal_the_weight_only_definition(kernels: NativeGemv, m: int, n: int, k: int) -> None:
    """Activations enter as 16-bit fixed point per row: error at most half a step per element, far
    below the weight's own 8 bits (and below bf16 rounding for every element above max|x| / 128)."""
    generator = torch.Generator().manual_seed(m * 1000 + n * 10 + k + 1)
    x = (torch.randn(m, k, generator=generator) * 3).bfloat16()
    q = torch.randint(-127, 128, (n, k), generator=generator, dtype=torch.int8)
    q[0, 0] = -127  # the extremes
    x[0, 0] = -x[0].abs().max()
    scale = torch.rand(n, generator=generator) * 0.01 + 1e-4
    y = kernels.int8(x, q, scale, q.sum(1, dtype=torch.int32))
    assert y is not None and y.shape == (m, n)
    exact = (x.double() @ q.double().T) * scale.double()
    step = x.double().abs().amax(1, keepdim=True) / 32767
    fixed_point = step / 2 * q.double().abs().sum(1) * scale.double()
    summing = (x.double().abs() @ q.double().abs().T) * scale.double() * 1e-5
    bound = exact.abs() * 2**-8 + fixed_point + summing
    assert ((y.double() - exact).abs() <= bound).all()
    assert ((reference_int8(x, q, scale).double() - exact).abs() <= exact.abs() * 2**-8 + bound).all()


@pytest.mark.parametrize("threads", [1, 3, 5])
def test_every_row_is_computed_once_whatever_the_thread_count(kernels: NativeGemv, threads: int) -> None:
    """Each thread reads its rows as four parts side by side, then the few left over one by one: row
    counts below, at and around multiples of four per thread all come out whole."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        for n in (1, 3, 4, 5, 8, 9, 15, 16, 17, 23, 40, 41):
            for m in (1, 2, 3, 4):
                generator = torch.Generator().manual_seed(n * 10 + m)
                x = torch.randn(m, 96, generator=generator).bfloat16()
                w = (torch.randn(n, 96, generator=generator) * 0.05).bfloat16()
                exact = x.double() @ w.double().T
                assert ((kernels.bf16(x, w).double() - exact).abs() <= bf16_bound(x, w)).all()
                q = torch.randint(-127, 128, (n, 96), generator=generator, dtype=torch.int8)
                scale = torch.rand(n, generator=generator) + 0.5
                y = kernels.int8(x, q, scale, q.sum(1, dtype=torch.int32)).double()
                exact = (x.double() @ q.double().T) * scale.double()
                unit = x.double().abs().amax(1, keepdim=True) / 32767  # the fixed point's step
                bound = exact.abs() * 2**-8 + unit * q.double().abs().sum(1) * scale.double()
                assert ((y - exact).abs() <= bound).all()
    finally:
        torch.set_num_threads(previous)


def test_zero_rows_and_extreme_values(kernels: NativeGemv) -> None:
    q = torch.randint(-127, 128, (5, 70), dtype=torch.int8)
    scale, sums = torch.full((5,), 0.5), q.sum(1, dtype=torch.int32)
    zeros = kernels.int8(torch.zeros(2, 70).bfloat16(), q, scale, sums)
    assert torch.equal(zeros, torch.zeros(2, 5).bfloat16())
    for value in (1e30, 1e-30):  # the fixed point's unit follows the row's size
        x = torch.full((1, 70), value).bfloat16()
        exact = (x.double() @ q.double().T) * 0.5
        assert torch.allclose(kernels.int8(x, q, scale, sums).double(), exact, rtol=2**-7, atol=0)


def test_non_finite_rows_spread_as_in_pytorch(kernels: NativeGemv) -> None:
    """A NaN or infinity must spread as PyTorch spreads it, never be quantized away: the float paths
    carry it, the fixed-point path declines (None) and leaves the row to PyTorch."""
    q, scale, w = torch.ones(3, 40, dtype=torch.int8), torch.ones(3), torch.ones(3, 40).bfloat16()
    for bad in (float("nan"), float("inf"), -float("inf")):
        x = torch.ones(1, 40).bfloat16()
        x[0, 7] = bad
        y = kernels.int8(x, q, scale, q.sum(1, dtype=torch.int32))
        assert y is None or torch.testing.assert_close(y, reference_int8(x, q, scale), equal_nan=True) is None
        torch.testing.assert_close(kernels.bf16(x, w), reference_bf16(x, w), equal_nan=True)


def test_rows_too_long_for_exact_integer_sums_are_declined(kernels: NativeGemv) -> None:
    q = torch.ones(1, 1_000_000, dtype=torch.int8)
    y = kernels.int8(torch.ones(1, 1_000_000).bfloat16(), q, torch.ones(1), q.sum(1, dtype=torch.int32))
    assert y is None or torch.allclose(y.float(), torch.tensor([[1e6]]), rtol=2**-7)


def test_misuse_is_refused_before_it_reaches_c(kernels: NativeGemv) -> None:
    w = torch.ones(4, 8).bfloat16()
    with pytest.raises(TypeError):
        kernels.bf16(torch.ones(1, 8), w)  # float32 rows
    with pytest.raises(ValueError, match="multiply"):
        kernels.bf16(torch.ones(1, 9).bfloat16(), w)
    with pytest.raises(ValueError, match="contiguous"):
        kernels.bf16(torch.ones(2, 16).bfloat16()[:, ::2], w)
    with pytest.raises(ValueError, match="shape"):
        kernels.int8(torch.ones(1, 8).bfloat16(), torch.ones(4, 8, dtype=torch.int8), torch.ones(3),
                     torch.zeros(4, dtype=torch.int32))  # fmt: skip


def test_the_build_shares_pytorchs_openmp_runtime() -> None:
    """Two OpenMP runtimes in one process would each start their own threads and fight over the cores."""
    assert native() is not None
    maps = Path("/proc/self/maps").read_text()
    assert len({line.split()[-1] for line in maps.splitlines() if "libgomp" in line}) == 1


def test_a_missing_compiler_or_the_switch_leaves_pytorchs_products(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:  # fmt: skip
    monkeypatch.setenv("CC", str(tmp_path / "no-such-compiler"))
    with pytest.raises(OSError):
        build(SOURCE, ("-O1",), cache=tmp_path)
    with pytorch_products():
        assert native() is None
        assert stream_linears(nn.Linear(4, 4).bfloat16()) == 0


def test_streamed_and_int8_layers_decode_like_their_prompt_path() -> None:
    torch.manual_seed(3)
    linear = nn.Linear(96, 50).bfloat16()
    streamed, int8 = StreamedLinear(linear.weight, linear.bias), Int8Linear(linear.weight, linear.bias)
    x = torch.randn(3, 96).bfloat16()
    prompt = nn.functional.linear(x, linear.weight, linear.bias)
    assert torch.allclose(streamed(x).float(), prompt.float(), atol=0.03, rtol=0.02)  # each row on its own
    Int8Linear.DECODE_ROWS, rows = 0, Int8Linear.DECODE_ROWS
    try:
        blocks = int8(x)
    finally:
        Int8Linear.DECODE_ROWS = rows
    assert torch.allclose(int8(x).float(), blocks.float(), atol=0.03, rtol=0.02)
    x[1, 5] = float("nan")
    assert int8(x)[1].float().isnan().all() and not int8(x)[0].float().isnan().any()


def test_a_bf16_model_decodes_through_the_native_products(tiny_model_path: Path, expected: dict) -> None:
    """Same checkpoint, same steps, with and without the native kernels: bf16-sized differences only,
    and the tied LM head reads the embedding table itself (no copy)."""
    model = load_model(tiny_model_path, dtype=torch.bfloat16)
    assert isinstance(model.lm_head, StreamedLinear)
    assert model.lm_head.weight.data_ptr() == model.embed_tokens.weight.data_ptr()
    ids = expected["input_ids"]
    steps = teacher_forced(model, ids, 5, torch.arange(3)).float()
    with pytorch_products():
        plain = teacher_forced(model, ids, 5, torch.arange(3)).float()
    assert (steps - plain).abs().mean() < 0.05 and (steps - plain).abs().max() < 0.5
    assert (steps.argmax(-1) == plain.argmax(-1)).float().mean() > 0.9


@pytest.mark.parametrize(("dim", "length"), [(24, 37), (64, 37), (64, 150)])
def test_attention_over_a_bf16_cache_equals_paired_attention(
    kernels: NativeGemv, dim: int, length: int
) -> None:
    """Rows at different lengths, slots out of order, both differential branches in one output; 150
    positions span several blocks of keys (16) and of values (64), with a part block at the end."""
    torch.manual_seed(dim + length)
    num_slots, kv_heads, q_heads = 4, 4, 8
    keys = torch.randn(num_slots, kv_heads, length, dim).bfloat16()
    values = torch.randn(num_slots, kv_heads // 2, length, 2 * dim).bfloat16()
    q = torch.randn(3, q_heads, dim).bfloat16()
    slots, counts = torch.tensor([2, 0, 3]), torch.tensor([1, length, 20])
    out = kernels.attend(q, keys, values, slots, counts, *paired_heads(q_heads, kv_heads))
    assert out is not None and out.shape == (3, q_heads, 2 * dim)
    for row, (slot, count) in enumerate(zip(slots.tolist(), counts.tolist(), strict=True)):
        k, v = keys[slot : slot + 1, :, :count], values[slot : slot + 1, :, :count]
        seen = torch.ones(1, 1, count, dtype=torch.bool)
        expected = paired_attention(q[row : row + 1, :, None].float(), k.float(), v.float(), seen)
        for branch in (0, 1):
            assert torch.allclose(out[row, branch::2], expected[branch, 0, :, 0], atol=1e-4)


def test_attention_indices_outside_the_cache_are_refused(kernels: NativeGemv) -> None:
    keys, values = torch.zeros(2, 2, 5, 8).bfloat16(), torch.zeros(2, 1, 5, 16).bfloat16()
    q, heads = torch.zeros(1, 4, 8).bfloat16(), paired_heads(4, 2)
    for slot, count in ((2, 3), (0, 0), (0, 6), (-1, 1)):  # a slot past the cache, no position, too many
        with pytest.raises(ValueError, match="outside the cache"):
            kernels.attend(q, keys, values, torch.tensor([slot]), torch.tensor([count]), *heads)
    with pytest.raises(ValueError, match="int64"):
        kernels.attend(q, keys, values, torch.tensor([0], dtype=torch.int32), torch.tensor([1]), *heads)


def test_batched_decoding_at_different_positions_matches_pytorchs_attention(tiny_model_path: Path) -> None:
    """The same random state decoded with the native attention (bf16 cache) and with PyTorch's (float32
    cache holding the same values): rows at positions inside and beyond the sliding window."""
    model = load_model(tiny_model_path, dtype=torch.bfloat16)
    positions, slots, tokens = torch.tensor([2, 30, 11]), torch.tensor([1, 2, 0]), torch.tensor([5, 6, 7])
    native_state = model.allocate_state(3, 40)
    assert native_state.layers[model.config.shared_kv_layer].keys.dtype == torch.bfloat16
    generator = torch.Generator().manual_seed(0)
    for tensor in native_state.tensors():
        tensor.copy_(torch.randn(tensor.shape, generator=generator))
    with pytorch_products():
        plain_state = model.allocate_state(3, 40)
        for mine, theirs in zip(native_state.tensors(), plain_state.tensors(), strict=True):
            theirs.copy_(mine)
        plain = model.decode(tokens, plain_state, slots, positions).float()
    fast = model.decode(tokens, native_state, slots, positions).float()
    assert (fast - plain).abs().mean() < 0.05 and (fast.argmax(-1) == plain.argmax(-1)).all()


def test_a_profile_names_the_native_products() -> None:
    """bench/cpu_decode.py --profile must show where a decode step's time goes, products included."""
    kernels = native()
    assert kernels is not None
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as profile:
        kernels.bf16(torch.ones(1, 64).bfloat16(), torch.ones(8, 64).bfloat16())
    assert "native::gemv_bf16" in {event.key for event in profile.key_averages()}
