"""Mamba's kernels from ``sequence.c``: the selective scan (a prompt, or a decode token from its state),
the causal convolution with the SiLU after it (a prompt, or a decode token's window), and the gated
SiLU. Each method returns None where the C code declines, so the caller's PyTorch path runs;
``native_sequence()`` is None where the build cannot be had or is switched off. The definitions they
reproduce are in ``model/kernels/reference.py``.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import torch
from torch import Tensor

from model.kernels.native import kernels, profiled

SOURCE = Path(__file__).with_name("sequence.c")


class NativeSequence:
    def __init__(self, library: ctypes.CDLL) -> None:
        pointer, size, threads = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int
        self._scan = library.selective_scan
        self._scan.argtypes = [*[pointer] * 10, *[size] * 4, threads]
        self._conv = library.causal_conv1d_silu
        self._conv.argtypes = [pointer, size, pointer, pointer, pointer, *[size] * 4, threads]
        self._gate = library.gated_silu
        self._gate.argtypes = [pointer, size, pointer, ctypes.c_int, size, pointer, size, size, threads]
        self._conv_step = library.conv_step_silu
        self._conv_step.argtypes = [pointer, size, *[pointer] * 4, size, size, size, threads]
        functions = (self._scan, self._conv, self._gate, self._conv_step)
        for function in functions:
            function.restype = ctypes.c_int
        self._scan, self._conv, self._gate, self._conv_step = (profiled(f) for f in functions)

    def selective_scan(self, u: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor,
                       lengths: Tensor | None = None, initial: Tensor | None = None,
                       last: Tensor | None = None) -> tuple[Tensor, Tensor] | None:  # fmt: skip
        """``reference.selective_scan``, optionally from ``initial`` [B, E, N] instead of zeros, and
        into ``last`` (contiguous float32 [B, E, N], which may be ``initial`` itself) when given."""
        batch, length, channels = u.shape
        nstate = A.shape[1]
        state_shape = (batch, channels, nstate)
        _check_cpu(u, delta, A, B, C, D)
        if delta.shape != u.shape or A.shape != (channels, nstate) or D.shape != (channels,):
            raise ValueError(f"scan shapes do not fit u {list(u.shape)}: delta, A [E, N], D [E]")
        if B.shape != (batch, length, nstate) or C.shape != B.shape:
            raise ValueError(f"B and C must have shape {[batch, length, nstate]}")
        u, delta, B, C, D = (t.float().contiguous() for t in (u, delta, B, C, D))
        A_t = _transposed(A)
        if lengths is not None:
            if lengths.shape != (batch,) or bool(((lengths < 0) | (lengths > length)).any()):
                raise ValueError(f"lengths must be [{batch}] within 0..{length}")
            lengths = lengths.to(torch.int64).contiguous()
        if initial is not None:
            if initial.shape != state_shape:
                raise ValueError(f"the initial state must have shape {list(state_shape)}")
            initial = initial.float().contiguous()
        if last is None:
            last = u.new_empty(state_shape)
        elif last.shape != state_shape or last.dtype != torch.float32 or not last.is_contiguous():
            raise ValueError(f"the final state goes into a contiguous float32 {list(state_shape)}")
        y = u.new_empty(batch, length, channels)
        status = self._scan(u.data_ptr(), delta.data_ptr(), A_t.data_ptr(), B.data_ptr(), C.data_ptr(),
                            D.data_ptr(), _pointer(initial), _pointer(lengths), y.data_ptr(), last.data_ptr(),
                            batch, length, channels, nstate, torch.get_num_threads())  # fmt: skip
        return (y, last) if status == 0 else None

    def conv1d_silu(self, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor | None:
        """bf16(silu(``reference.causal_conv1d(x, weight, bias)``)): x [B, L, E] bf16 whose rows (last
        dimension) are contiguous, weight [E, K]. None for other dtypes (the caller's path then runs)."""
        batch, length, channels = x.shape
        _check_cpu(x, weight, *([] if bias is None else [bias]))
        bias_fits = bias is None or bias.shape == (channels,)
        if weight.ndim != 2 or weight.shape[0] != channels or not bias_fits:
            raise ValueError(f"a depthwise filter for {channels} channels is [E, K] with a bias of [E]")
        if x.dtype != torch.bfloat16:
            return None
        if x.stride(2) != 1 or x.stride(0) != length * x.stride(1):  # rows not evenly spaced
            x = x.contiguous()
        w_t, bias = _transposed(weight), None if bias is None else bias.float().contiguous()
        y = torch.empty(batch, length, channels, dtype=torch.bfloat16)
        self._conv(x.data_ptr(), x.stride(1), w_t.data_ptr(), _pointer(bias), y.data_ptr(), batch, length,
                   channels, weight.shape[1], torch.get_num_threads())  # fmt: skip
        return y

    def state_update(self, state: Tensor, u: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor,
                     D: Tensor) -> Tensor | None:  # fmt: skip
        """``reference.selective_state_update``: one token per row, ``state`` [B, E, N] (contiguous
        float32) updated in place; returns y [B, E] float32, or None for a state this cannot update."""
        if state.dtype != torch.float32 or not state.is_contiguous():
            return None
        token = (t[:, None] for t in (u, delta))  # one position: [B, 1, E] and [B, 1, N]
        found = self.selective_scan(*token, A, B[:, None], C[:, None], D, initial=state, last=state)
        return None if found is None else found[0][:, 0]

    def conv_step_silu(self, x: Tensor, state: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor | None:
        """bf16(silu(``reference.causal_conv1d_step(x, state, weight, bias)``)): x [B, E] bf16 with
        contiguous rows, ``state`` [B, E, K-1] contiguous float32, updated in place. None for other
        dtypes or layouts (the caller's PyTorch path then runs)."""
        batch, channels = x.shape
        usable = x.dtype == torch.bfloat16 and x.stride(-1) == 1 and state.dtype == torch.float32
        if not (usable and state.is_contiguous()):
            return None
        if state.shape != (batch, channels, weight.shape[1] - 1) or weight.shape[0] != channels:
            raise ValueError(f"a conv state [B, E, K-1] and filter [E, K] for x {list(x.shape)}")
        w_t, bias = _transposed(weight), None if bias is None else bias.float().contiguous()
        u = x.new_empty(batch, channels)
        self._conv_step(x.data_ptr(), x.stride(0), state.data_ptr(), w_t.data_ptr(), _pointer(bias),
                        u.data_ptr(), batch, channels, weight.shape[1], torch.get_num_threads())  # fmt: skip
        return u

    def gated_silu(self, gate: Tensor, x: Tensor) -> Tensor | None:
        """``reference.gated_silu(gate, x)`` rounded to bf16, for a bf16 gate and a bf16 or float32 x of
        the same shape whose rows (last dimension) are contiguous; None for other dtypes or layouts."""
        x_float = x.dtype == torch.float32
        if gate.dtype != torch.bfloat16 or not (x_float or x.dtype == gate.dtype) or gate.shape != x.shape:
            return None
        _check_cpu(gate, x)
        cols = x.shape[-1]
        flat_gate, flat_x = gate.reshape(-1, cols), x.reshape(-1, cols)  # views where the rows allow
        if flat_gate.stride(-1) != 1 or flat_x.stride(-1) != 1:
            return None
        out = torch.empty(flat_x.shape, dtype=torch.bfloat16)
        rows, threads = flat_x.shape[0], torch.get_num_threads()
        self._gate(flat_gate.data_ptr(), flat_gate.stride(0), flat_x.data_ptr(), int(x_float),
                   flat_x.stride(0), out.data_ptr(), rows, cols, threads)  # fmt: skip
        return out.view(x.shape)


def _transposed(matrix: Tensor) -> Tensor:
    """matrix.float().t().contiguous(), remembered (a decode step would otherwise transpose each layer's
    A and filter for every token). The entry holds the matrix itself, so its memory cannot be freed and
    reused by another tensor under the same address while the entry lives; writes bump ``_version``
    (weights are not written under inference mode, whose tensors keep no count)."""
    version = None if matrix.is_inference() else matrix._version  # inference tensors keep no count
    key = (matrix.data_ptr(), matrix.shape, matrix.stride(), matrix.dtype, version)
    found = _TRANSPOSED.get(key)
    if found is None:
        if len(_TRANSPOSED) >= 256:  # two per Mamba layer
            _TRANSPOSED.clear()
        found = _TRANSPOSED[key] = (matrix, matrix.float().t().contiguous())
    return found[1]


_TRANSPOSED: dict[tuple, tuple[Tensor, Tensor]] = {}


def _check_cpu(*tensors: Tensor) -> None:
    if any(t.device.type != "cpu" for t in tensors):
        raise ValueError("the native sequence kernels take CPU tensors")


def _pointer(tensor: Tensor | None) -> int | None:
    return None if tensor is None else tensor.data_ptr()


def native_sequence() -> NativeSequence | None:
    """This CPU's build of sequence.c; None where it cannot be had or the native kernels are switched off."""
    return kernels(SOURCE, NativeSequence)
