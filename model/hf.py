"""The Hugging Face face of the model: importing this module registers the "phi4flash" architecture.

After ``import model.hf``, ``AutoConfig``, ``AutoModelForCausalLM.from_pretrained(folder)`` and
``AutoTokenizer.from_pretrained(folder)`` work on the official checkpoint folder without
``trust_remote_code``, and ``generate()`` runs on this package's per-sequence state (Mamba states, the
sliding-window ring buffers and the one shared KV cache) instead of a transformers ``DynamicCache``.

Weights are read by ``model.loader.load_model`` (memory-mapped, checked, the float32 tensors kept
float32), so both ways of loading give the same network. A Hub repository id is looked up in the local
Hugging Face cache only; ``flashtutor model pull`` is the one thing that downloads.
Shapes: B batch, L length, V vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor
from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    AutoTokenizer,
    GenerationConfig,
    GenerationMixin,
    PretrainedConfig,
    PreTrainedModel,
    PreTrainedTokenizerFast,
)
from transformers.utils import ModelOutput

from model.config import MODEL_TYPE, SambaYConfig
from model.hub import resolve_checkpoint
from model.loader import load_model
from model.sambay import SambaY
from model.state import SambaYState

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


class Phi4FlashConfig(PretrainedConfig):
    """config.json as transformers reads it; ``sambay`` is the checked config this package runs."""

    model_type = MODEL_TYPE

    def __init__(self, **kwargs: Any) -> None:
        # The official config asks for flash_attention_2; this package brings its own attention kernels.
        kwargs.pop("_attn_implementation", None)
        kwargs.pop("attn_implementation", None)
        super().__init__(**kwargs)

    @property
    def sambay(self) -> SambaYConfig:
        return SambaYConfig.from_dict(self.to_dict())


class SambaYCache:
    """The per-sequence state of one ``generate`` call and how many tokens each row holds.

    Rows keep their own lengths, so left-padded batches are stored without their padding.
    """

    is_compileable = False
    # transformers slices prompts against a cache's length only when it is not all "linear" (recurrent)
    # layers; this cache keeps its own per-row lengths, so it never needs that.
    is_linear = (True,)

    def __init__(self, state: SambaYState) -> None:
        self.state = state
        self.lengths: Tensor | None = None  # [B] tokens stored per row; None before the prompt

    def get_seq_length(self, layer_idx: int = 0) -> int:
        return 0 if self.lengths is None else int(self.lengths.max())

    def advance(self, network: SambaY, input_ids: Tensor, attention_mask: Tensor | None) -> Tensor:
        """Store the prompt (first call) or one new token per row; -> next-token logits [B, V]."""
        batch = input_ids.shape[0]
        slots = torch.arange(batch, device=input_ids.device)
        if self.lengths is None:
            ids, self.lengths = _right_padded(input_ids, attention_mask)
            return network.prefill(ids, self.state, slots, self.lengths)
        if input_ids.shape[1] != 1:
            raise ValueError("after the prompt, generation feeds one token per row")
        logits = network.decode(input_ids[:, 0], self.state, slots, self.lengths)
        self.lengths = self.lengths + 1
        return logits


@dataclass
class Phi4FlashOutput(ModelOutput):
    logits: Tensor | None = None
    cache: SambaYCache | None = None


class Phi4FlashForCausalLM(PreTrainedModel, GenerationMixin):
    """``SambaY`` wrapped for transformers: ``model`` holds the network under the checkpoint's names."""

    config_class = Phi4FlashConfig
    base_model_prefix = "model"
    main_input_name = "input_ids"
    _supports_cache_class = False

    def __init__(self, config: Phi4FlashConfig, network: SambaY | None = None) -> None:
        super().__init__(config)
        self.model = network if network is not None else SambaY(config.sambay)
        self.post_init()

    @classmethod
    def from_pretrained(  # type: ignore[override]
        cls,
        pretrained_model_name_or_path: str | Path,
        *args: Any,
        config: Phi4FlashConfig | None = None,
        dtype: torch.dtype | str | None = None,
        torch_dtype: torch.dtype | str | None = None,
        device_map: str | torch.device | None = None,
        cache_dir: str | Path | None = None,
        revision: str | None = None,
        **kwargs: Any,
    ) -> Phi4FlashForCausalLM:
        """Load a checkpoint folder, or a Hub id from the local cache, through ``model.load_model``."""
        folder = resolve_checkpoint(pretrained_model_name_or_path, cache_dir=cache_dir, revision=revision)
        config = config if isinstance(config, Phi4FlashConfig) else Phi4FlashConfig.from_pretrained(folder)
        wanted = dtype if dtype is not None else torch_dtype
        if wanted == "auto":
            wanted = getattr(config, "dtype", None) or getattr(config, "torch_dtype", None)
        if isinstance(wanted, str):
            wanted = DTYPES.get(wanted.removeprefix("torch."), torch.float32)
        device = device_map if isinstance(device_map, str | torch.device) and device_map != "auto" else "cpu"
        network = load_model(folder, device=device, dtype=wanted or torch.float32)
        model = cls(config, network)
        if (folder / "generation_config.json").is_file():
            model.generation_config = GenerationConfig.from_pretrained(folder)
        else:
            model.generation_config = GenerationConfig.from_model_config(config)
        return model.eval()

    def _init_weights(self, module: torch.nn.Module) -> None:
        """Keep the weights the network has: loaded ones, or PyTorch's defaults for a fresh model."""

    def get_input_embeddings(self) -> torch.nn.Embedding:
        return self.model.embed_tokens

    def get_output_embeddings(self) -> None:
        return None  # the LM head is the embedding itself (tied), not a separate module

    def forward(
        self,
        input_ids: Tensor,
        attention_mask: Tensor | None = None,
        cache: SambaYCache | None = None,
        **kwargs: Any,
    ) -> Phi4FlashOutput:
        """With a ``cache`` (generation): next-token logits [B, 1, V]; without: logits [B, L, V]."""
        if cache is None:
            if attention_mask is not None and not bool(attention_mask.bool().all()):
                raise ValueError("a padded batch needs generate(); a plain forward takes unpadded rows")
            return Phi4FlashOutput(logits=self.model(input_ids).float())
        with torch.inference_mode():
            logits = cache.advance(self.model, input_ids, attention_mask)
        return Phi4FlashOutput(logits=logits.float()[:, None], cache=cache)

    def _prepare_cache_for_generation(
        self,
        generation_config: GenerationConfig,
        model_kwargs: dict[str, Any],
        generation_mode: Any,
        batch_size: int,
        max_cache_length: int,
    ) -> None:
        """Our per-sequence state stands where transformers would build a DynamicCache."""
        if generation_config.num_beams > 1:
            raise ValueError("beam search is not supported: SambaY's recurrent state cannot be reordered")
        if generation_config.use_cache is False:
            raise ValueError("SambaY generates from its state; use_cache=False is not supported")
        if model_kwargs.get("cache") is None:
            rows = batch_size * max(generation_config.num_return_sequences or 1, 1)
            model_kwargs["cache"] = SambaYCache(self.model.allocate_state(rows, max_cache_length))


def _right_padded(input_ids: Tensor, attention_mask: Tensor | None) -> tuple[Tensor, Tensor]:
    """Rows moved to start at column 0 (the engine's layout) and their real lengths [B]."""
    if attention_mask is None:
        lengths = torch.full((input_ids.shape[0],), input_ids.shape[1], device=input_ids.device)
        return input_ids, lengths
    keep = attention_mask.bool()
    lengths = keep.sum(dim=1)
    if int(lengths.min()) < 1:
        raise ValueError("every row needs at least one unmasked token")
    ids = torch.zeros_like(input_ids)
    for row in range(input_ids.shape[0]):
        ids[row, : int(lengths[row])] = input_ids[row][keep[row]]
    return ids, lengths


AutoConfig.register(MODEL_TYPE, Phi4FlashConfig, exist_ok=True)
AutoModelForCausalLM.register(Phi4FlashConfig, Phi4FlashForCausalLM, exist_ok=True)
AutoTokenizer.register(Phi4FlashConfig, tokenizer_class=PreTrainedTokenizerFast, exist_ok=True)
