"""The SambaY network (Phi-4-mini-flash-reasoning): a Samba self-decoder and a YOCO cross-decoder.

Layers 0..n/2+1 (Mamba, sliding-window attention, the memory Mamba, the full attention layer) keep
per-sequence state; layers after that (GMU, cross-attention) reuse the memory and the shared K/V, so a
prompt only has to run its last token through them. The residual stream is float32 from the start;
every norm input is rounded to the weight dtype (spec 3.2).
Shapes: B batch, L length, D model width, V vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from model.config import LayerKind, SambaYConfig
from model.generate import Piece, generate, generate_stream
from model.kernels.gemv import native
from model.modules import DiffAttention, GatedMemoryUnit, Mamba, SwiGLU
from model.state import KVCache, MambaState, SambaYState

# Parameters that stay float32 when the model runs in a lower precision.
FLOAT32_PARAMETERS = ("A_log", "lambda_q1", "lambda_k1", "lambda_q2", "lambda_k2")


class DecoderLayer(nn.Module):
    """Pre-norm residual block: h + mixer(LN(h)), then h + MLP(LN(h))."""

    def __init__(self, config: SambaYConfig, index: int) -> None:
        super().__init__()
        self.kind = config.layer_kinds[index]
        self.input_layernorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.attn: nn.Module  # the checkpoint calls every mixer "attn"
        if self.kind.is_mamba:
            self.attn = Mamba(config, exports_memory=self.kind is LayerKind.MEMORY_MAMBA)
        elif self.kind is LayerKind.GMU:
            self.attn = GatedMemoryUnit(config)
        else:
            self.attn = DiffAttention(config, index)
        self.post_attention_layernorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.mlp = SwiGLU(config.hidden_size, config.intermediate_size)

    def mixer_input(self, h: Tensor) -> Tensor:
        return self.input_layernorm(h.to(self.input_layernorm.weight.dtype))

    def finish(self, h: Tensor, mixed: Tensor) -> Tensor:
        """Add the mixer output and the MLP branch to the float32 residual stream."""
        h = h + mixed
        return h + self.mlp(self.post_attention_layernorm(h.to(self.post_attention_layernorm.weight.dtype)))


class SambaY(nn.Module):
    def __init__(self, config: SambaYConfig) -> None:
        super().__init__()
        self.config = config
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(config, i) for i in range(config.num_hidden_layers))
        self.final_layernorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        # The LM head is tied to the embedding; model.packing may add a packed copy for the product.
        self.lm_head: nn.Module | None = None

    @property
    def dtype(self) -> torch.dtype:
        return self.embed_tokens.weight.dtype

    @property
    def device(self) -> torch.device:
        return self.embed_tokens.weight.device

    @property
    def state_dtype(self) -> torch.dtype:
        """The model dtype, except float32 on CPU: without bf16 matrix units a CPU attends 3-4x faster
        over a float32 cache than over a bf16 one (or one converted each step), for a few MB per sequence."""
        return torch.float32 if self.device.type == "cpu" else self.dtype

    @property
    def kv_dtype(self) -> torch.dtype:
        """The key/value caches' dtype: bf16 for a bf16 model on a CPU with the native kernels, which
        attend over it in place (half the bytes of float32, and the keys are bf16 to begin with);
        ``state_dtype`` otherwise."""
        cpu_bf16 = self.device.type == "cpu" and self.dtype == torch.bfloat16
        return torch.bfloat16 if cpu_bf16 and native() is not None else self.state_dtype

    def forward(self, input_ids: Tensor, intermediates: dict[str, Any] | None = None) -> Tensor:
        """Logits [B, L, V] at every position. A dict passed as ``intermediates`` receives
        "hidden_states" (the input of each layer, then the final norm output) and "memory"."""
        self._check_ids(input_ids, "input_ids", ndim=2)
        h, memory, shared_kv = self._self_decoder(input_ids, None, intermediates)
        h = self._cross_decoder(h, memory, shared_kv, None, intermediates)
        return self._logits(h, intermediates)

    @torch.inference_mode()
    def prefill(
        self, input_ids: Tensor, state: SambaYState, slots: Tensor, lengths: Tensor | None = None
    ) -> Tensor:
        """Fill ``slots`` with right-padded prompts [B, L] (row b has ``lengths[b]`` real tokens) from
        position 0; return the next-token logits [B, V]."""
        self._check_ids(input_ids, "input_ids", ndim=2)
        batch, length = input_ids.shape
        if lengths is None:
            lengths = torch.full((batch,), length, dtype=torch.long, device=input_ids.device)
        if lengths.shape != (batch,) or int(lengths.min()) < 1 or int(lengths.max()) > length:
            raise ValueError(f"lengths must give each of the {batch} rows between 1 and {length} tokens")
        if length > state.max_len:
            raise ValueError(f"a prompt of {length} tokens does not fit the state's max_len {state.max_len}")
        self._check_slots(slots, batch, state)
        h, memory, shared_kv = self._self_decoder(input_ids, (state, slots, lengths), None)
        rows, last = torch.arange(batch, device=h.device), lengths - 1
        # Only the last real token needs the cross-decoder: the state is already complete (YOCO).
        h = self._cross_decoder(
            h[rows, last][:, None], memory[rows, last][:, None], shared_kv, last[:, None], None
        )
        return self._logits(h, None)[:, 0]

    @torch.inference_mode()
    def decode(self, tokens: Tensor, state: SambaYState, slots: Tensor, positions: Tensor) -> Tensor:
        """One token per row, each at its own position; updates the rows' state in place. -> [B, V]."""
        self._check_ids(tokens, "tokens", ndim=1)
        self._check_slots(slots, tokens.shape[0], state)
        if (
            positions.shape != tokens.shape
            or int(positions.min()) < 0
            or int(positions.max()) >= state.max_len
        ):
            raise ValueError(f"positions must give each row a position in [0, {state.max_len})")
        h = self.embed_tokens(tokens).float()  # [B, D]
        memory = None
        for layer, layer_state in zip(self.layers, state.layers, strict=True):
            x = layer.mixer_input(h)
            if layer.kind.is_mamba:
                mixed, produced = layer.attn.step(x, layer_state, slots)
                memory = produced if layer.kind is LayerKind.MEMORY_MAMBA else memory
            elif layer.kind is LayerKind.GMU:
                mixed = layer.attn(x, memory)
            else:
                cache = state.shared_kv if layer.kind is LayerKind.CROSS_ATTENTION else layer_state
                mixed = layer.attn.step(x, cache, slots, positions)
            h = layer.finish(h, mixed)
        return self._logits(h, None)

    def allocate_state(
        self,
        num_slots: int,
        max_len: int,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> SambaYState:
        """Zeroed state for ``num_slots`` sequences of up to ``max_len`` tokens each, in ``state_dtype``
        unless another dtype is given."""
        if num_slots < 1 or max_len < 1:
            raise ValueError(f"num_slots and max_len must be positive, got {num_slots} and {max_len}")
        device, kv_dtype = device or self.device, dtype or self.kv_dtype
        dtype = dtype or self.state_dtype
        layers: list[MambaState | KVCache | None] = []
        for layer in self.layers:
            if layer.kind.is_mamba:
                layers.append(layer.attn.allocate_state(num_slots, device, dtype))
            elif layer.kind.is_self_attention:
                layers.append(layer.attn.allocate_state(num_slots, max_len, device, kv_dtype))
            else:
                layers.append(None)
        return SambaYState(layers=layers, shared_kv_layer=self.config.shared_kv_layer, max_len=max_len)

    def generate_stream(self, ids: Sequence[int], **options: Any) -> Iterator[int | Piece]:
        """Token ids, or ``Piece``s with a tokenizer, continuing ``ids``; see ``generate.generate_stream``."""
        return generate_stream(self, ids, **options)

    def generate(self, prompts: Sequence[Sequence[int]], **options: Any) -> list[list[int]]:
        """Continue several prompts in one batch; see ``model.generate.generate``."""
        return generate(self, prompts, **options)

    def _self_decoder(
        self,
        input_ids: Tensor,
        prompt_state: tuple[SambaYState, Tensor, Tensor] | None,
        intermediates: dict[str, Any] | None,
    ) -> tuple[Tensor, Tensor, tuple[Tensor, Tensor]]:
        """Layers 0..n/2+1 over the whole sequence -> (h, memory, shared k/v), storing state if given."""
        h = self.embed_tokens(input_ids).float()  # [B, L, D]
        state, slots, lengths = prompt_state if prompt_state else (None, None, None)
        hidden_states = [] if intermediates is None else intermediates.setdefault("hidden_states", [])
        for index, layer in enumerate(self.layers[: self.config.shared_kv_layer + 1]):
            hidden_states.append(h)
            layer_state = None if state is None else state.layers[index]
            x = layer.mixer_input(h)
            if layer.kind.is_mamba:
                mixed, layer_memory = layer.attn(x, state=layer_state, slots=slots, lengths=lengths)
                if layer.kind is LayerKind.MEMORY_MAMBA:
                    memory = layer_memory
            else:  # the last of these is the full-attention layer: its k/v are the shared ones
                mixed, shared_kv = layer.attn(x, cache=layer_state, slots=slots, lengths=lengths)
            h = layer.finish(h, mixed)
        if intermediates is not None:
            intermediates["memory"] = memory
        return h, memory, shared_kv

    def _cross_decoder(
        self,
        h: Tensor,
        memory: Tensor,
        shared_kv: tuple[Tensor, Tensor],
        query_positions: Tensor | None,
        intermediates: dict[str, Any] | None,
    ) -> Tensor:
        """Layers after n/2+1 for the queries in h [B, Lq, D] at ``query_positions`` (default 0..Lq-1)."""
        for layer in self.layers[self.config.shared_kv_layer + 1 :]:
            if intermediates is not None:
                intermediates["hidden_states"].append(h)
            x = layer.mixer_input(h)
            if layer.kind is LayerKind.GMU:
                mixed = layer.attn(x, memory)
            else:
                mixed, _ = layer.attn(x, shared_kv=shared_kv, query_positions=query_positions)
            h = layer.finish(h, mixed)
        return h

    def _logits(self, h: Tensor, intermediates: dict[str, Any] | None) -> Tensor:
        normed = self.final_layernorm(h.to(self.final_layernorm.weight.dtype))
        if intermediates is not None:
            intermediates["hidden_states"].append(normed)
        if self.lm_head is not None:
            return self.lm_head(normed)
        return F.linear(normed, self.embed_tokens.weight)  # the LM head is tied to the embedding

    def _check_ids(self, ids: Tensor, name: str, ndim: int) -> None:
        if not isinstance(ids, Tensor) or ids.dtype not in (torch.long, torch.int32) or ids.ndim != ndim:
            raise ValueError(f"{name} must be an integer tensor with {ndim} dimension(s)")
        if ids.numel() == 0:
            raise ValueError(f"{name} is empty")
        if int(ids.min()) < 0 or int(ids.max()) >= self.config.vocab_size:
            raise ValueError(f"{name} must lie in [0, {self.config.vocab_size}), the vocabulary")

    @staticmethod
    def _check_slots(slots: Tensor, batch: int, state: SambaYState) -> None:
        if slots.shape != (batch,) or int(slots.min()) < 0 or int(slots.max()) >= state.num_slots:
            raise ValueError(f"slots must give each of the {batch} rows a slot in [0, {state.num_slots})")
        if len(set(slots.tolist())) != batch:
            raise ValueError("two rows of one batch cannot share a slot")
