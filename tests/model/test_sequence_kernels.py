"""The native whole-prompt kernels (model/kernels/sequence.c) against their PyTorch definitions in
model/kernels/reference.py, built for every instruction set this CPU can run, and the model using them."""

from __future__ import annotations

import ctypes
import os

import pytest
import torch
import torch.nn.functional as F

from model.kernels import fast, reference
from model.kernels.native import build
from model.kernels.sequence import SOURCE, NativeSequence, native_sequence
from tests.model.test_gemv import COMPILER, TARGETS, _cpu_has, pytorch_products

pytestmark = pytest.mark.skipif(COMPILER is None, reason="no C compiler: the native kernels are not built")


@pytest.fixture(scope="module", params=list(TARGETS))
def kernels(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> NativeSequence:
    flags, needs = TARGETS[request.param]
    if not _cpu_has(*needs) or os.uname().machine != "x86_64":
        pytest.skip(f"this CPU cannot run the {request.param} build")
    return NativeSequence(
        ctypes.CDLL(str(build(SOURCE, flags, cache=tmp_path_factory.mktemp(request.param))))
    )


def scan_inputs(batch: int, length: int, channels: int, nstate: int, seed: int) -> tuple[torch.Tensor, ...]:
    """Inputs shaped like a Mamba layer's: softplus deltas, A = -exp(.) from 1..N as at initialisation
    times a random factor (decays from near 1 down to denormals), bf16 projections."""
    generator = torch.Generator().manual_seed(seed)
    u = torch.randn(batch, length, channels, generator=generator).bfloat16()
    delta = F.softplus(torch.randn(batch, length, channels, generator=generator) * 2)
    A = (
        -torch.arange(1, nstate + 1).float().repeat(channels, 1)
        * torch.rand(channels, 1, generator=generator)
        * 4
    )
    B, C = (torch.randn(batch, length, nstate, generator=generator).bfloat16() for _ in range(2))
    D = torch.randn(channels, generator=generator)
    return u, delta, A, B, C, D


def close(found: torch.Tensor, expected: torch.Tensor, scale: float = 1.0) -> None:
    """Within float32 rounding of sums of about N terms (the order of summation differs)."""
    bound = 2e-6 * (expected.abs().max().item() + scale)
    assert (found - expected).abs().max().item() <= bound


@pytest.mark.parametrize(("batch", "length", "channels", "nstate"),
                         [(1, 1, 1, 1), (1, 9, 16, 16), (2, 23, 37, 16), (3, 17, 48, 5), (1, 40, 70, 64),
                          (2, 5, 16, 16), (1, 64, 160, 16)])  # fmt: skip
def test_the_scan_equals_the_reference(kernels: NativeSequence, batch: int, length: int, channels: int,
                                       nstate: int) -> None:  # fmt: skip
    inputs = scan_inputs(batch, length, channels, nstate, seed=length * channels + nstate)
    y, last = kernels.selective_scan(*inputs)
    y_ref, last_ref = reference.selective_scan(*inputs)
    close(y, y_ref)
    close(last, last_ref)


def test_the_scan_keeps_each_rows_state_at_its_own_length(kernels: NativeSequence) -> None:
    inputs = scan_inputs(4, 21, 40, 16, seed=3)
    lengths = torch.tensor([21, 1, 0, 13])  # full, one token, empty (state stays zero), middle
    y, last = kernels.selective_scan(*inputs, lengths)
    y_ref, last_ref = reference.selective_scan(*inputs, lengths)
    close(y, y_ref)
    close(last, last_ref)
    assert bool((last[2] == 0).all())


def test_the_scan_continues_from_an_initial_state(kernels: NativeSequence) -> None:
    """A prompt scanned in two pieces, the second from the first's state, equals one scan of it."""
    u, delta, A, B, C, D = scan_inputs(2, 30, 48, 16, seed=4)
    whole_y, whole_last = kernels.selective_scan(u, delta, A, B, C, D)
    first_y, middle = kernels.selective_scan(u[:, :11], delta[:, :11], A, B[:, :11], C[:, :11], D)
    second_y, last = kernels.selective_scan(
        u[:, 11:], delta[:, 11:], A, B[:, 11:], C[:, 11:], D, initial=middle
    )
    close(torch.cat([first_y, second_y], 1), whole_y)
    close(last, whole_last)
    empty = torch.zeros(2, dtype=torch.long)
    assert torch.equal(kernels.selective_scan(u, delta, A, B, C, D, empty, initial=middle)[1], middle)


def test_the_scan_spreads_nan_and_refuses_bad_shapes(kernels: NativeSequence) -> None:
    u, delta, A, B, C, D = scan_inputs(1, 6, 16, 16, seed=5)
    delta[0, 2, 3] = float("nan")
    y, last = kernels.selective_scan(u, delta, A, B, C, D)
    assert (
        bool(y[0, :2].isfinite().all()) and bool(y[0, 2:, 3].isnan().all()) and bool(last[0, 3].isnan().all())
    )
    with pytest.raises(ValueError):
        kernels.selective_scan(u, delta[:, :5], A, B, C, D)
    with pytest.raises(ValueError):
        kernels.selective_scan(u, delta, A, B, C, D, torch.tensor([7]))
    assert (
        kernels.selective_scan(*scan_inputs(1, 3, 4, 65, seed=6)) is None
    )  # more state than the C code holds


@pytest.mark.parametrize(
    ("batch", "length", "channels", "width"), [(1, 1, 1, 4), (2, 19, 37, 4), (1, 64, 160, 2)]
)
def test_the_convolution_equals_silu_of_the_reference(kernels: NativeSequence, batch: int, length: int,
                                                      channels: int, width: int) -> None:  # fmt: skip
    generator = torch.Generator().manual_seed(length)
    x = torch.randn(batch, length, 2 * channels, generator=generator).bfloat16()[
        ..., :channels
    ]  # strided rows
    weight, bias = (
        torch.randn(channels, width, generator=generator),
        torch.randn(channels, generator=generator),
    )
    for b in (bias, None):
        expected = F.silu(reference.causal_conv1d(x, weight, b)).bfloat16().float()
        found = kernels.conv1d_silu(x, weight, b)
        assert found.dtype == torch.bfloat16 and found.shape == x.shape
        assert bool(((found.float() - expected).abs() <= expected.abs() * 2**-7 + 1e-6).all())  # a bf16 step
    assert kernels.conv1d_silu(x.float(), weight, bias) is None  # float32 prompts: PyTorch's path


@pytest.mark.parametrize("x_dtype", [torch.bfloat16, torch.float32])
def test_gated_silu_equals_the_reference_rounded_once(kernels: NativeSequence, x_dtype: torch.dtype) -> None:
    generator = torch.Generator().manual_seed(7)
    both = torch.randn(3, 5, 2 * 75, generator=generator) * 6
    gate, x = both.bfloat16().chunk(2, dim=-1)  # rows 150 apart, as the MLP's fused projection gives them
    x = x.to(x_dtype)
    found = kernels.gated_silu(gate, x)
    expected = reference.gated_silu(gate, x.float()).bfloat16()
    assert found.dtype == torch.bfloat16 and found.shape == x.shape
    assert bool(((found.float() - expected.float()).abs() <= expected.float().abs() * 2**-8).all())
    special = torch.tensor(
        [float("nan"), float("inf"), -float("inf"), 0.0, 100.0, -100.0, 89.0, -89.0]
    ).bfloat16()
    ones = torch.ones(8, dtype=x_dtype)
    expected = reference.gated_silu(special, ones.float()).bfloat16()
    assert torch.equal(kernels.gated_silu(special, ones).isnan(), expected.isnan())
    assert torch.equal(kernels.gated_silu(special, ones).nan_to_num(), expected.nan_to_num())
    assert kernels.gated_silu(gate.float(), x) is None  # a float32 gate: PyTorch's path


def test_the_model_functions_use_the_kernels_and_match_pytorchs_path() -> None:
    """fast.* with the native build and with it switched off give the same results."""
    assert native_sequence() is not None
    inputs = scan_inputs(2, 40, 48, 16, seed=8)
    lengths = torch.tensor([40, 17])
    y, last = fast.selective_scan(*inputs, lengths)
    gate, x = torch.randn(2, 7, 48).bfloat16(), torch.randn(2, 7, 48)
    gated = fast.gated_silu(gate, x, torch.bfloat16)
    with pytorch_products():
        assert native_sequence() is None
        y_torch, last_torch = fast.selective_scan(*inputs, lengths)
        gated_torch = fast.gated_silu(gate, x, torch.bfloat16)
    close(y, y_torch)
    close(last, last_torch)
    assert (gated.float() - gated_torch.float()).abs().max() <= gated_torch.float().abs().max() * 2**-8


@pytest.mark.parametrize(("batch", "channels", "nstate"), [(1, 16, 16), (3, 37, 16), (2, 40, 5)])
def test_a_decode_step_of_the_scan_equals_the_reference(kernels: NativeSequence, batch: int, channels: int,
                                                         nstate: int) -> None:  # fmt: skip
    """Tokens fed one at a time through ``state_update`` give the whole-prompt scan's outputs and state."""
    u, delta, A, B, C, D = scan_inputs(batch, 9, channels, nstate, seed=channels)
    y_ref, last_ref = reference.selective_scan(u, delta, A, B, C, D)
    state = torch.zeros(batch, channels, nstate)
    for t in range(9):
        expected_state, token = state.clone(), (u[:, t], delta[:, t], A, B[:, t], C[:, t], D)
        expected = reference.selective_state_update(expected_state, *token)
        y = kernels.state_update(state, *token)
        close(y, expected)
        close(state, expected_state)
        close(y, y_ref[:, t])
    close(state, last_ref)
    assert kernels.state_update(state.double(), u[:, 0], delta[:, 0], A, B[:, 0], C[:, 0], D) is None


def test_a_decode_step_of_the_convolution_equals_the_reference(kernels: NativeSequence) -> None:
    generator = torch.Generator().manual_seed(9)
    x = torch.randn(3, 2 * 37, generator=generator).bfloat16()[:, :37]  # rows 74 apart
    weight, bias = torch.randn(37, 4, generator=generator), torch.randn(37, generator=generator)
    state = torch.randn(3, 37, 3, generator=generator)
    expected_state = state.clone()
    expected = F.silu(reference.causal_conv1d_step(x, expected_state, weight, bias)).bfloat16()
    found = kernels.conv_step_silu(x, state, weight, bias)
    assert found.dtype == torch.bfloat16
    assert bool(((found.float() - expected.float()).abs() <= expected.float().abs() * 2**-7 + 1e-6).all())
    assert torch.equal(state, expected_state)  # the window moved on by the new input, exactly
    assert kernels.conv_step_silu(x.float(), state, weight, bias) is None  # float32 rows: PyTorch's path
