"""Linear layers in CPU-friendly weight layouts: bf16 as loaded where the CPU has native bf16, with
decode rows through ``model.kernels.gemv``; fbgemm-packed fp16 where it has not; int8 when asked.

Why (measured on the 2-core AVX2 machine of issue 15; ``bench/cpu_decode.py --layouts`` reprints it):
a CPU without bf16 arithmetic streams a bf16 matrix-vector product at 14-20 GB/s and multiplies bf16
matrices at 7-9 GFLOP/s, while fbgemm's packed fp16 kernels stream 25-27 GB/s and reach 40-100
GFLOP/s. bf16 -> fp16 is exact for weights of magnitude 2^-14 .. 65504 (bf16 has fewer mantissa
bits); smaller ones keep 2^-24 absolute precision; a layer with a larger weight stays as it is.

int8 is weight-only: symmetric per-output-channel scales. Decode rows use ``model.kernels.gemv``
(activations enter its integer sums as exact 16-bit fixed point) or, without it, PyTorch's
``aten._weight_int8pack_mm``; a prompt's many rows dequantize the weight block by block to float32
for the fast float32 matrix product. fbgemm's dynamic int8 (activations quantized per tensor
as well) streams twice as fast here but moved the fixture's logits 5x more than weight-only int8
(mean 0.36 against 0.06 on a spread of 2.5), so it is not used.
"""

from __future__ import annotations

import contextlib
import ctypes
from collections.abc import Callable
from typing import Literal

import torch
from torch import Tensor, nn

from model.kernels.gemv import DECODE_ROWS, linear, native

Layout = Literal["fp16", "int8"]
QUANTIZE_CHOICES = ("int8",)
FP16_MAX = 65504.0
BLOCK_WEIGHTS = 1 << 26  # weights per packed block: the float32 copy made while packing stays <= 256 MB
# dt_proj's bias is added in float32 after its product (model.modules.mamba), so it keeps its weight.
UNPACKED = ("dt_proj",)


class PackingError(ValueError):
    """A packing request this machine or model cannot honour; the message says why."""


def can_pack() -> bool:
    """fbgemm is PyTorch's x86 backend; ARM builds and others lack it."""
    return "fbgemm" in torch.backends.quantized.supported_engines


def packs_by_default() -> bool:
    """Whether a bf16 model on this CPU should run packed fp16: yes unless oneDNN has native bf16 here
    (AVX-512 BF16 or AMX), where bf16 prompts multiply far faster than fbgemm's fp16 could."""
    return can_pack() and not torch.ops.mkldnn._is_mkldnn_bf16_supported()


class StreamedLinear(nn.Module):
    """y = x W^T + b with nn.Linear's bf16 weight as it is (shared, never copied: the tied LM head
    reuses the embedding table); a decode step's few rows go through the native matrix-vector kernel,
    which streams the weight about twice as fast as PyTorch's product, and prompts through F.linear."""

    layout = "bf16"

    def __init__(self, weight: Tensor, bias: Tensor | None) -> None:
        super().__init__()
        self.out_features, self.in_features = weight.shape
        self.weight, self.bias = weight, bias

    def forward(self, x: Tensor) -> Tensor:
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, layout={self.layout}"


def stream_linears(model: nn.Module) -> int:
    """Wrap the model's bf16 linear layers (and a tied LM head) in ``StreamedLinear``, in place, where
    the native kernels exist; returns how many were wrapped."""
    if native() is None:
        return 0
    return _replace_linears(
        model, StreamedLinear, lambda m: m.weight.dtype == torch.bfloat16 and m.weight.is_cpu
    )


class PackedLinear(nn.Module):
    """y = x W^T + b with W held only in fbgemm's packed fp16 layout (the original weight is not kept)."""

    layout = "fp16"

    def __init__(self, weight: Tensor, bias: Tensor | None) -> None:
        super().__init__()
        self.out_features, self.in_features = weight.shape
        rows = max(1, BLOCK_WEIGHTS // self.in_features)
        biases = [None] * -(-self.out_features // rows) if bias is None else bias.split(rows)
        self._blocks = [
            torch.ops.quantized.linear_prepack_fp16(w.detach().float(), None if b is None else b.float())
            for w, b in zip(weight.split(rows), biases, strict=True)
        ]

    def forward(self, x: Tensor) -> Tensor:
        flat = x.reshape(-1, self.in_features).float()  # [M, in]
        outs = [torch.ops.quantized.linear_dynamic_fp16(flat, block) for block in self._blocks]
        y = outs[0] if len(outs) == 1 else torch.cat(outs, dim=-1)  # [M, out]
        return y.to(x.dtype).view(*x.shape[:-1], self.out_features)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, layout={self.layout}"


class Int8Linear(nn.Module):
    """y = x W^T + b with W = scale[o] * q[o, i], q int8 (weight-only, per output channel)."""

    layout = "int8"
    DECODE_ROWS = 16  # up to this many rows per call take a matrix-vector kernel (the native one up to 4)
    # PyTorch 2.13's AVX-512 build of aten._weight_int8pack_mm crashes when in_features is not a multiple
    # of 16 (a segfault, seen on an AVX-512 BF16 EPYC): only widths that are multiples of 32 (a margin over
    # the 16 that crashed; every SambaY width is one) use it, the rest take the dequantized path.
    KERNEL_IN_MULTIPLE = 32

    def __init__(self, weight: Tensor, bias: Tensor | None) -> None:
        super().__init__()
        weight = weight.detach()
        self.out_features, self.in_features = weight.shape
        scale = weight.abs().amax(dim=1).float().clamp(min=1e-12) / 127  # [out]
        # Row by row blocks, so quantizing never holds a float32 copy of a whole large matrix.
        rows = max(1, BLOCK_WEIGHTS // self.in_features)
        self.register_buffer(
            "qweight",
            torch.cat([
                torch.round(w.float() / s[:, None]).clamp(-127, 127).to(torch.int8)
                for w, s in zip(weight.split(rows), scale.split(rows), strict=True)
            ]),
        )  # fmt: skip
        self.register_buffer("scale", scale)
        self.register_buffer("row_sums", self.qweight.sum(dim=1, dtype=torch.int32))  # for the native kernel
        self.register_buffer("kernel_scale", scale.bfloat16())  # aten's kernel takes bf16 scales
        self.register_buffer("bias", None if bias is None else bias.detach().float())
        self._block_rows = rows

    def forward(self, x: Tensor) -> Tensor:
        flat = x.reshape(-1, self.in_features)  # [M, in]
        y = self._decode(flat) if flat.shape[0] <= self.DECODE_ROWS else None
        if y is None:
            flat = flat.float()
            y = torch.cat([
                flat @ (q.float() * s[:, None]).T
                for q, s in zip(self.qweight.split(self._block_rows), self.scale.split(self._block_rows),
                                strict=True)
            ], dim=-1)  # fmt: skip
        if self.bias is not None:
            y = y.float() + self.bias
        return y.to(x.dtype).view(*x.shape[:-1], self.out_features)

    def _decode(self, flat: Tensor) -> Tensor | None:
        """A few rows by a matrix-vector kernel (both are vectorised for bf16 input only)."""
        rows = flat.bfloat16().contiguous()
        kernels = native() if len(rows) <= DECODE_ROWS else None
        y = None if kernels is None else kernels.int8(rows, self.qweight, self.scale, self.row_sums)
        if y is not None:
            return y
        if self.in_features % self.KERNEL_IN_MULTIPLE == 0:
            return torch.ops.aten._weight_int8pack_mm(rows, self.qweight, self.kernel_scale)
        return None

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, layout={self.layout}"


def pack_linears(model: nn.Module, quantize: str | None = None) -> int:
    """Replace the model's linear layers (and add a packed LM head beside the tied embedding) in place:
    fp16 by default, int8 with ``quantize="int8"``. Returns how many layers were packed."""
    if quantize not in (None, *QUANTIZE_CHOICES):
        raise PackingError(f"quantize must be one of {QUANTIZE_CHOICES} or None, got {quantize!r}")
    if not can_pack():
        raise PackingError("packed CPU weights need PyTorch's fbgemm backend (x86 builds)")
    layout: Layout = "int8" if quantize == "int8" else "fp16"
    make = Int8Linear if layout == "int8" else PackedLinear

    def loaded_and_fits(module: nn.Module) -> bool:  # a loader may pack shard by shard
        return not any(t.is_meta for t in module.parameters()) and _fits(module.weight, layout)

    packed = _replace_linears(model, make, loaded_and_fits)
    _return_freed_memory()
    return packed


def _replace_linears(
    model: nn.Module, make: Callable[[Tensor, Tensor | None], nn.Module], suits: Callable[[nn.Module], bool]
) -> int:
    """Replace each plain nn.Linear that ``suits`` (but those in UNPACKED) by ``make(weight, bias)``, and
    give a model whose LM head is its embedding table a head made the same way (the lookups keep using
    the embedding). Returns how many were made."""
    made = 0
    # By name, holding no module across iterations: each replaced weight is freed before the next is
    # packed, so the packed copies reuse its memory instead of adding to it.
    for path in [name for name, module in model.named_modules() if type(module) is nn.Linear]:
        parent_path, _, name = path.rpartition(".")
        parent = model.get_submodule(parent_path)
        child = getattr(parent, name)
        if name not in UNPACKED and suits(child):
            setattr(parent, name, make(child.weight, child.bias))
            made += 1
        del child
    embedding = getattr(model, "embed_tokens", None)
    has_head = getattr(model, "lm_head", None) is not None
    if isinstance(embedding, nn.Embedding) and not has_head and suits(embedding):
        model.lm_head = make(embedding.weight, None)
        made += 1
    return made


def _return_freed_memory() -> None:
    """Hand the freed weights' heap back to the OS (glibc keeps freed blocks under 32 MB otherwise:
    measured on the 3.8B model, 15.4 GB resident instead of 8.7 after packing)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _fits(weight: Tensor, layout: Layout) -> bool:
    if weight.device.type != "cpu":
        return False
    return layout == "int8" or float(weight.detach().abs().max()) <= FP16_MAX
