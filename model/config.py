"""The SambaY model configuration, read from the official ``config.json``.

Only what the network needs is kept; everything derived (head size, the layer schedule, lambda_init)
is a property, so the object always says exactly what the file said.
"""

from __future__ import annotations

import enum
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODEL_TYPE = "phi4flash"
ARCHITECTURE = "Phi4FlashForCausalLM"
# Sizes every config.json must give (positive integers); the mamba_* sizes have class defaults.
REQUIRED_KEYS = (
    "vocab_size",
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "sliding_window",
)


class ConfigError(ValueError):
    """A config.json that does not describe a SambaY model this code can build."""


class LayerKind(enum.Enum):
    """The six blocks of the SambaY schedule (spec section 2)."""

    MAMBA = "mamba"  # self-decoder Mamba, even i < n/2
    SLIDING_ATTENTION = "sliding_attention"  # self-decoder SWA differential attention, odd i < n/2
    MEMORY_MAMBA = "memory_mamba"  # i = n/2: Mamba that also exports the GMU memory
    FULL_ATTENTION = "full_attention"  # i = n/2 + 1: full attention whose K/V all cross layers share
    GMU = "gmu"  # cross-decoder gated memory unit, even i > n/2 + 1
    CROSS_ATTENTION = "cross_attention"  # cross-decoder differential attention, odd i > n/2 + 1

    @property
    def is_mamba(self) -> bool:
        return self in (LayerKind.MAMBA, LayerKind.MEMORY_MAMBA)

    @property
    def is_self_attention(self) -> bool:
        return self in (LayerKind.SLIDING_ATTENTION, LayerKind.FULL_ATTENTION)


@dataclass(frozen=True)
class SambaYConfig:
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    sliding_window: int
    layer_norm_eps: float = 1e-5
    mamba_d_state: int = 16
    mamba_d_conv: int = 4
    mamba_expand: int = 2
    mamba_dt_rank: int | str = "auto"
    mamba_conv_bias: bool = True
    mamba_proj_bias: bool = False
    stop_token_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for name in (*REQUIRED_KEYS, "mamba_d_state", "mamba_d_conv", "mamba_expand"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")
        if self.mamba_dt_rank != "auto" and not (
            isinstance(self.mamba_dt_rank, int) and self.mamba_dt_rank > 0
        ):
            raise ConfigError(
                f"mamba_dt_rank must be 'auto' or a positive integer, got {self.mamba_dt_rank!r}"
            )
        eps = self.layer_norm_eps
        if not isinstance(eps, int | float) or isinstance(eps, bool) or not eps > 0:
            raise ConfigError(f"layer_norm_eps must be positive, got {self.layer_norm_eps!r}")
        n = self.num_hidden_layers
        if n % 4:
            raise ConfigError(
                f"num_hidden_layers must be a multiple of 4 (layer n/2 has to be a Mamba layer), got {n}"
            )
        heads, kv_heads = self.num_attention_heads, self.num_key_value_heads
        if self.hidden_size % heads:
            raise ConfigError(
                f"hidden_size {self.hidden_size} is not divisible by num_attention_heads {heads}"
            )
        if heads % 2 or kv_heads % 2:
            raise ConfigError(
                f"differential attention splits heads into even/odd pairs: num_attention_heads ({heads}) "
                f"and num_key_value_heads ({kv_heads}) must both be even"
            )
        if heads % kv_heads:
            raise ConfigError(
                f"num_attention_heads {heads} is not a multiple of num_key_value_heads {kv_heads}"
            )
        if any(not isinstance(t, int) or t < 0 for t in self.stop_token_ids):
            raise ConfigError(f"stop token ids must be non-negative integers, got {self.stop_token_ids!r}")

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SambaYConfig:
        """Check that ``raw`` is a phi4flash config and read it (old list or new ``layer_types`` form)."""
        if raw.get("model_type") != MODEL_TYPE:
            raise ConfigError(
                f"model_type is {raw.get('model_type')!r}; this code runs {MODEL_TYPE!r} models"
            )
        architectures = raw.get("architectures") or [ARCHITECTURE]
        if not isinstance(architectures, list) or ARCHITECTURE not in architectures:
            raise ConfigError(f"architectures {architectures} does not include {ARCHITECTURE}")
        if raw.get("hidden_act", "silu") != "silu":
            raise ConfigError(f"hidden_act {raw['hidden_act']!r} is not supported (only 'silu')")
        if raw.get("mb_per_layer", 2) != 2:
            raise ConfigError(f"mb_per_layer {raw['mb_per_layer']!r} is not supported (only 2)")
        if not raw.get("tie_word_embeddings", True):
            raise ConfigError("untied word embeddings are not supported: SambaY ties the LM head")
        missing = [key for key in REQUIRED_KEYS if key not in raw]
        if missing:
            raise ConfigError(f"config lacks the keys {missing}")
        optional = (
            "layer_norm_eps",
            "mamba_d_state",
            "mamba_d_conv",
            "mamba_expand",
            "mamba_dt_rank",
            "mamba_conv_bias",
            "mamba_proj_bias",
        )
        values = {key: raw[key] for key in REQUIRED_KEYS + optional if key in raw}
        values["sliding_window"] = _window(raw, raw["num_hidden_layers"])
        eos = raw.get("eos_token_id")
        values["stop_token_ids"] = tuple(eos if isinstance(eos, list) else [] if eos is None else [eos])
        return cls(**values)

    @classmethod
    def from_folder(cls, folder: str | Path) -> SambaYConfig:
        """Read ``config.json``; stop ids come from ``generation_config.json`` when the folder has one."""
        folder = Path(folder)
        raw = _read_json(folder / "config.json")
        generation = folder / "generation_config.json"
        if generation.is_file() and "eos_token_id" in (extra := _read_json(generation)):
            raw = {**raw, "eos_token_id": extra["eos_token_id"]}
        return cls.from_dict(raw)

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_attention_heads

    @property
    def d_inner(self) -> int:
        return self.mamba_expand * self.hidden_size

    @property
    def dt_rank(self) -> int:
        return math.ceil(self.hidden_size / 16) if self.mamba_dt_rank == "auto" else int(self.mamba_dt_rank)

    @property
    def memory_layer(self) -> int:
        """Index n/2 of the Mamba layer whose pre-gate scan output feeds every GMU."""
        return self.num_hidden_layers // 2

    @property
    def shared_kv_layer(self) -> int:
        """Index n/2 + 1 of the full-attention layer whose K/V every cross-attention layer reads."""
        return self.num_hidden_layers // 2 + 1

    @property
    def layer_kinds(self) -> tuple[LayerKind, ...]:
        return tuple(_kind(i, self.num_hidden_layers) for i in range(self.num_hidden_layers))

    def lambda_init(self, layer: int) -> float:
        """Differential attention's lambda_init, from the global layer index (not the attention count)."""
        return 0.8 - 0.6 * math.exp(-0.3 * layer)


def _kind(i: int, n: int) -> LayerKind:
    half = n // 2
    if i < half:
        return LayerKind.MAMBA if i % 2 == 0 else LayerKind.SLIDING_ATTENTION
    if i == half:
        return LayerKind.MEMORY_MAMBA
    if i == half + 1:
        return LayerKind.FULL_ATTENTION
    return LayerKind.GMU if i % 2 == 0 else LayerKind.CROSS_ATTENTION


def _window(raw: dict[str, Any], n: Any) -> int:
    """The single SWA window, checked against the schedule whichever form the file uses."""
    window = raw["sliding_window"]
    if not isinstance(n, int) or n < 1:
        raise ConfigError(f"num_hidden_layers must be a positive integer, got {n!r}")
    swa_layers = {i for i in range(n) if i < n // 2 and i % 2}
    if isinstance(window, list):  # older form: one entry per layer, None where attention is global
        if len(window) != n:
            raise ConfigError(f"sliding_window has {len(window)} entries for {n} layers")
        if any(not isinstance(w, int) for w in window if w is not None):
            raise ConfigError(f"sliding_window list entries must be whole numbers or null, got {window!r}")
        windowed = {i for i, w in enumerate(window) if w is not None}
        sizes = {window[i] for i in windowed}
        if windowed != swa_layers or len(sizes) != 1:
            raise ConfigError(
                f"sliding_window list must give one window to exactly the layers {sorted(swa_layers)}"
            )
        return sizes.pop()
    if "layer_types" in raw:  # newer form: scalar window + per-layer type names
        types = raw["layer_types"]
        if not isinstance(types, list) or len(types) != n:
            raise ConfigError(f"layer_types must list one type for each of the {n} layers")
        windowed = {i for i, t in enumerate(types) if t == "sliding_attention"}
        if windowed != swa_layers:
            raise ConfigError(
                f"layer_types puts 'sliding_attention' at {sorted(windowed)}; "
                f"SambaY has it at {sorted(swa_layers)}"
            )
    return window


def _read_json(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"{path} is not readable JSON: {error}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must hold a JSON object")
    return raw
