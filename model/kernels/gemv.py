"""Decode-time matrix-vector products: ``gemv.c`` compiled for this CPU on first use, and the plain
PyTorch definitions it must reproduce.

Why a C file: a decode step reads every weight once, and on the 2-core machine of issue 15 PyTorch's
own products stream SambaY's bf16 weights at 15-30 GB/s and its int8 weight-only product at 20-30,
while this loop reaches 35-60 (``bench/cpu_decode.py --layouts``). ``model.kernels.native`` builds
and loads it; where it cannot (or after ``native.enable(False)``), ``native()`` is None and the callers
keep PyTorch's products.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor

from model.kernels.native import kernels, profiled, untracked
from model.kernels.prompt import prompt_linear

SOURCE = Path(__file__).with_name("gemv.c")


DECODE_ROWS = 4  # up to this many rows per call (a decode step's batch) take the matrix-vector kernels


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """F.linear, with a decode step's few bf16 rows through the native kernel where it exists, and a
    prompt's many rows through ``prompt_linear``."""
    rows = x.reshape(-1, x.shape[-1])
    if rows.shape[0] > DECODE_ROWS:
        return prompt_linear(x, weight, bias)
    kernels = native() if untracked(x, weight) else None
    if kernels is not None and x.dtype == weight.dtype == torch.bfloat16 and weight.is_contiguous():
        y = kernels.bf16(rows.contiguous(), weight)
        if y is not None:
            y = y if bias is None else y + bias
            return y.view(*x.shape[:-1], weight.shape[0])
    return F.linear(x, weight, bias)


def reference_bf16(x: Tensor, weight: Tensor) -> Tensor:
    """y = x W^T summed in float32, rounded once to x's dtype."""
    return (x.float() @ weight.float().T).to(x.dtype)


def reference_int8(x: Tensor, qweight: Tensor, scale: Tensor) -> Tensor:
    """y = (x q^T) * scale per output row, summed in float32, rounded once to x's dtype."""
    return ((x.float() @ qweight.float().T) * scale.float()).to(x.dtype)


class NativeGemv:
    """The compiled products. Each takes x [m, k] bf16 and returns y [m, n] bf16, or None where the
    C code declines (x not finite for int8; scratch memory refused) so the caller's PyTorch path runs."""

    def __init__(self, library: ctypes.CDLL) -> None:
        pointer, size = ctypes.c_void_p, ctypes.c_int64
        self._bf16 = library.gemv_bf16
        self._bf16.argtypes = [pointer, pointer, pointer, size, size, size, ctypes.c_int]
        self._int8 = library.gemv_int8
        self._int8.argtypes = [pointer, pointer, pointer, pointer, pointer, size, size, size, ctypes.c_int]
        self._scores, self._mix = library.attend_scores, library.attend_mix
        self._scores.argtypes = [*[pointer] * 6, *[size] * 7, ctypes.c_float, ctypes.c_int]
        self._mix.argtypes = [*[pointer] * 6, *[size] * 7, ctypes.c_int]
        for function in (self._bf16, self._int8, self._scores, self._mix):
            function.restype = ctypes.c_int
        self._bf16, self._int8, self._scores, self._mix = (
            profiled(f) for f in (self._bf16, self._int8, self._scores, self._mix)
        )

    def bf16(self, x: Tensor, weight: Tensor) -> Tensor | None:
        _check(x, weight, torch.bfloat16)
        y = x.new_empty(x.shape[0], weight.shape[0])
        status = self._bf16(x.data_ptr(), weight.data_ptr(), y.data_ptr(), *x.shape[:1], *weight.shape,
                            torch.get_num_threads())  # fmt: skip
        return y if status == 0 else None

    def int8(self, x: Tensor, qweight: Tensor, scale: Tensor, row_sums: Tensor) -> Tensor | None:
        """``scale`` float32 [n]; ``row_sums`` int32 [n], the sums of qweight's rows."""
        _check(x, qweight, torch.int8)
        out_features = qweight.shape[0]
        if scale.dtype != torch.float32 or row_sums.dtype != torch.int32:
            raise TypeError("int8 products need float32 scales and int32 row sums")
        if scale.shape != (out_features,) or row_sums.shape != (out_features,):
            raise ValueError(f"scales and row sums must have shape [{out_features}]")
        y = x.new_empty(x.shape[0], out_features)
        status = self._int8(x.data_ptr(), qweight.data_ptr(), scale.contiguous().data_ptr(),
                            row_sums.contiguous().data_ptr(), y.data_ptr(), x.shape[0], *qweight.shape,
                            torch.get_num_threads())  # fmt: skip
        return y if status == 0 else None

    def attend(self, q: Tensor, keys: Tensor, values: Tensor, slots: Tensor, counts: Tensor,
               kv_of: Tensor, v_of: Tensor) -> Tensor | None:  # fmt: skip
        """One query per row over a bf16 cache, softmax(q K^T / sqrt(Dh)) V in float32 -> [B, Hq, Dv].

        q [B, Hq, Dh]; keys [S, Hk, T, Dh] and values [S, Hv, T, Dv], both contiguous; row b reads slot
        ``slots[b]`` and sees its first ``counts[b]`` positions; query head h reads key head
        ``kv_of[h]`` and value head ``v_of[h]``. Everything the C code indexes is checked here first."""
        batch, q_heads, dim = q.shape
        num_slots, kv_heads, length, key_dim = keys.shape
        v_heads, value_dim = values.shape[1], values.shape[3]
        if not (q.dtype == keys.dtype == values.dtype == torch.bfloat16):
            raise TypeError("native attention reads bf16 queries and a bf16 cache")
        if key_dim != dim or values.shape[0] != num_slots or values.shape[2] != length:
            raise ValueError(f"caches {list(keys.shape)}, {list(values.shape)} do not fit q {list(q.shape)}")
        indices = (slots, counts, kv_of, v_of)
        shapes = ((batch,), (batch,), (q_heads,), (q_heads,))
        if any(t.dtype != torch.int64 or t.shape != shape for t, shape in zip(indices, shapes, strict=True)):
            raise ValueError("slots and counts must be int64 [B], kv_of and v_of int64 [Hq]")
        in_range = [(slots, 0, num_slots), (counts, 1, length + 1), (kv_of, 0, kv_heads), (v_of, 0, v_heads)]
        if batch == 0 or not all(_within(t, low, high) for t, low, high in in_range):
            raise ValueError("a slot, count or head index is outside the cache")
        q, keys, values = q.contiguous(), keys.contiguous(), values.contiguous()
        indices = tuple(t.contiguous() for t in indices)
        width, threads = int(counts.max()), torch.get_num_threads()
        scores = torch.empty(batch, q_heads, width)
        shape = (batch, q_heads, kv_heads, dim, width, keys.stride(0), keys.stride(1))
        slot_p, count_p, kv_p, v_p = (t.data_ptr() for t in indices)
        status = self._scores(q.data_ptr(), keys.data_ptr(), slot_p, count_p, kv_p, scores.data_ptr(), *shape,
                              dim**-0.5, threads)  # fmt: skip
        if status != 0:
            return None
        probs, out = scores.softmax(-1), torch.empty(batch, q_heads, value_dim)
        shape = (batch, q_heads, v_heads, value_dim, width, values.stride(0), values.stride(1))
        status = self._mix(probs.data_ptr(), values.data_ptr(), slot_p, count_p, v_p, out.data_ptr(), *shape,
                           threads)  # fmt: skip
        return out if status == 0 else None


def _within(indices: Tensor, low: int, high: int) -> bool:
    """low <= every index < high (one operation: this runs in every attention layer of every step)."""
    smallest, largest = torch.aminmax(indices)
    return int(smallest) >= low and int(largest) < high


def _check(x: Tensor, weight: Tensor, weight_dtype: torch.dtype) -> None:
    """What the C code assumes and cannot check: dtypes, shapes, CPU memory, contiguous rows."""
    if x.dtype != torch.bfloat16 or weight.dtype != weight_dtype:
        raise TypeError(f"expected bf16 rows and {weight_dtype} weights, got {x.dtype} and {weight.dtype}")
    if x.ndim != 2 or weight.ndim != 2 or x.shape[1] != weight.shape[1]:
        raise ValueError(f"shapes {list(x.shape)} and {list(weight.shape)} do not multiply as x W^T")
    on_cpu = x.device.type == weight.device.type == "cpu"
    if not (on_cpu and x.is_contiguous() and weight.is_contiguous()):
        raise ValueError("the native products take contiguous CPU tensors")


def native() -> NativeGemv | None:
    """This CPU's build of gemv.c; None where it cannot be had or the native kernels are switched off."""
    return kernels(SOURCE, NativeGemv)
