"""A prompt's products (model/kernels/prompt.py): widened to float32 or not, the same sums as F.linear."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from model.kernels import prompt
from model.kernels.prompt import WIDEN_ROWS, prompt_linear, widens_faster


@pytest.fixture(params=[True, False], ids=["widened", "bf16"])
def widening(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Both paths on any CPU, whatever this one's measurement chose."""
    monkeypatch.setattr(prompt, "widens_faster", lambda: request.param)
    monkeypatch.setattr(prompt, "BLOCK_ROWS", 48)  # several blocks and a part block at the end
    return request.param


def _exact(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    y = x.double() @ weight.double().T
    return y if bias is None else y + bias.double()


@pytest.mark.parametrize("with_bias", [False, True])
def test_a_prompt_product_is_the_float_sum_rounded_once(widening: bool, with_bias: bool) -> None:
    torch.manual_seed(int(with_bias))
    x = torch.randn(2, WIDEN_ROWS // 2 + 3, 70).bfloat16()  # [B, L, in]: B x L rows, enough to widen
    weight, bias = torch.randn(131, 70).bfloat16(), torch.randn(131).bfloat16() if with_bias else None
    y = prompt_linear(x, weight, bias)
    assert y.shape == (2, WIDEN_ROWS // 2 + 3, 131) and y.dtype == torch.bfloat16
    exact = _exact(x, weight, bias)
    # one bf16 rounding of the sum (2^-8 relative), plus float32 summation error
    assert ((y.double() - exact).abs() <= exact.abs() * 2**-8 + 1e-4).all()
    assert torch.allclose(y.float(), F.linear(x, weight, bias).float(), rtol=2**-7, atol=1e-3)


def test_a_prompt_product_goes_into_the_buffer_it_is_given(widening: bool) -> None:
    x, weight = torch.randn(WIDEN_ROWS, 40).bfloat16(), torch.randn(100, 40).bfloat16()
    out = torch.full((WIDEN_ROWS, 100), float("nan"), dtype=torch.bfloat16)
    assert prompt_linear(x, weight, out=out) is out
    assert torch.allclose(out.float(), _exact(x, weight, None).float(), rtol=2**-7, atol=1e-3)


def test_few_rows_tracked_inputs_and_other_dtypes_take_f_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    def widened(*_: object) -> None:
        raise AssertionError("widened where F.linear was due")

    monkeypatch.setattr(prompt, "widens_faster", lambda: True)
    monkeypatch.setattr(torch.Tensor, "float", widened)
    few = torch.randn(WIDEN_ROWS - 1, 16).bfloat16()
    weight = torch.randn(8, 16).bfloat16()
    assert torch.equal(prompt_linear(few, weight), F.linear(few, weight))
    many, float_weight = torch.randn(WIDEN_ROWS, 16), weight.to(torch.float32)
    assert torch.equal(prompt_linear(many, float_weight), F.linear(many, float_weight))
    tracked = torch.randn(WIDEN_ROWS, 16).bfloat16().requires_grad_()
    prompt_linear(tracked, weight).sum().backward()  # autograd follows F.linear
    assert tracked.grad is not None and tracked.grad.shape == tracked.shape


def test_the_choice_is_measured_once_per_process() -> None:
    first = widens_faster()
    assert isinstance(first, bool) and widens_faster() is first
    assert widens_faster.cache_info().hits >= 1
