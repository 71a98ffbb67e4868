"""A prompt's bf16 matrix products, multiplied in float32 where this CPU does that faster.

Why: a prompt's time is its matrix products (93% of a 1,024-token prefill of the 3.8B model). On a
CPU with AMX tiles oneDNN multiplies bf16 matrices at 1.6-2.0 TFLOP/s on two cores, far ahead of
float32; on one with AVX-512 BF16 but no tiles (the 2-core Xeon of bench/results/cpu_decode.md)
its bf16 kernel reached 158-160 GFLOP/s on SambaY's MLP shapes and the float32 one 240-310. Which
is faster is measured once per process (``widens_faster``) rather than guessed from CPU flags.
Widening a block of weight rows costs a few percent of that block's product (2 bytes read and 4
written per weight, against 2 x rows multiply-adds), and the float32 sums are rounded once to bf16,
as oneDNN's bf16 kernel rounds its float32 sums.
"""

from __future__ import annotations

import functools
import time

import torch
import torch.nn.functional as F
from torch import Tensor

from model.kernels.native import untracked

BLOCK_ROWS = 2048  # weight rows widened at a time: 21 MB of float32 at SambaY's width of 2,560
WIDEN_ROWS = 256  # fewer rows than this: widening costs more than it saves (on that Xeon, 128 rows by
# 10,240 -> 2,560 took 47 ms in bf16 and 66 widened; 256 rows: 86 and 82; 1,024 rows: 532 and 294)
PROBE_SHAPE = (256, 2560, 2560)  # rows, in, out of the product timed by widens_faster
PROBE_MARGIN = 0.8  # float32 must take under 80% of bf16's time: a noisy probe should not flip a tie


def prompt_linear(x: Tensor, weight: Tensor, bias: Tensor | None = None, out: Tensor | None = None) -> Tensor:
    """F.linear(x, weight, bias), written into ``out`` (a contiguous tensor of the result's shape and
    x's dtype) when given."""
    widen = (
        x.dtype == weight.dtype == torch.bfloat16
        and x.device.type == "cpu"
        and x.numel() >= WIDEN_ROWS * x.shape[-1]
    )
    if not (widen and untracked(x, weight, bias) and widens_faster()):
        if out is None:
            return F.linear(x, weight, bias)
        torch.matmul(x, weight.t(), out=out)
        return out if bias is None else out.add_(bias)
    rows = x.reshape(-1, x.shape[-1]).float()
    if out is None:
        out = x.new_empty(*x.shape[:-1], weight.shape[0])
    flat = out.view(-1, weight.shape[0])
    sums = rows.new_empty(rows.shape[0], min(BLOCK_ROWS, weight.shape[0]))
    for start in range(0, weight.shape[0], BLOCK_ROWS):
        block = weight[start : start + BLOCK_ROWS].float()
        part = sums[:, : block.shape[0]]
        torch.matmul(rows, block.t(), out=part)
        if bias is not None:
            part += bias[start : start + BLOCK_ROWS].float()
        flat[:, start : start + block.shape[0]] = part  # rounded once to bf16
    return out


@functools.cache
def widens_faster() -> bool:
    """Whether this CPU multiplies a prompt-sized product faster in float32, widening included, than
    in bf16 (timed once per process, best of three each: about 0.1 s on a CPU without AMX)."""
    rows, fan_in, fan_out = PROBE_SHAPE
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(rows, fan_in, generator=generator).bfloat16()
    weight = torch.randn(fan_out, fan_in, generator=generator).bfloat16()

    def best(product) -> float:
        product()  # warm-up: oneDNN builds its kernel on the first call
        times = []
        for _ in range(3):
            start = time.perf_counter()
            product()
            times.append(time.perf_counter() - start)
        return min(times)

    with torch.inference_mode():
        bf16 = best(lambda: F.linear(x, weight))
        float32 = best(lambda: F.linear(x.float(), weight.float()).bfloat16())
    return float32 < PROBE_MARGIN * bf16
