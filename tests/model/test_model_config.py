"""SambaYConfig: both official sliding-window forms, the derived schedule, and clear errors."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest

from model.config import ConfigError, LayerKind, SambaYConfig

K = LayerKind


def fixture_raw(tiny_model_path: Path) -> dict:
    return json.loads((tiny_model_path / "config.json").read_text())


def test_fixture_config_and_its_schedule(tiny_model_path: Path) -> None:
    config = SambaYConfig.from_folder(tiny_model_path)
    assert (config.head_dim, config.d_inner, config.dt_rank, config.sliding_window) == (8, 128, 4, 8)
    assert config.layer_kinds == (
        K.MAMBA,
        K.SLIDING_ATTENTION,
        K.MAMBA,
        K.SLIDING_ATTENTION,
        K.MEMORY_MAMBA,
        K.FULL_ATTENTION,
        K.GMU,
        K.CROSS_ATTENTION,
    )
    assert (config.memory_layer, config.shared_kv_layer) == (4, 5)
    assert config.stop_token_ids == (511,)
    assert [round(config.lambda_init(i), 6) for i in (1, 3, 5, 7)] == [0.355509, 0.556058, 0.666122, 0.726526]


def test_mamba_keys_are_optional_with_official_defaults(tiny_model_path: Path) -> None:
    raw = {k: v for k, v in fixture_raw(tiny_model_path).items() if not k.startswith("mamba_")}
    config = SambaYConfig.from_dict(raw)
    assert (config.mamba_d_state, config.mamba_d_conv, config.mamba_expand) == (16, 4, 2)
    assert config.dt_rank == math.ceil(64 / 16)
    assert (config.mamba_conv_bias, config.mamba_proj_bias) == (True, False)


def test_old_list_window_and_new_layer_types_read_the_same(tiny_model_path: Path) -> None:
    raw = fixture_raw(tiny_model_path)
    scalar = SambaYConfig.from_dict(raw)
    as_list = SambaYConfig.from_dict({**raw, "sliding_window": [None, 8, None, 8, None, None, None, None]})
    types = ["mamba", "sliding_attention"] * 2 + ["mamba", "full_attention"] * 2
    as_types = SambaYConfig.from_dict({**raw, "layer_types": types})
    assert scalar == as_list == as_types


def test_schedule_of_a_deeper_model(tiny_model_path: Path) -> None:
    config = SambaYConfig.from_dict({**fixture_raw(tiny_model_path), "num_hidden_layers": 32})
    kinds = config.layer_kinds
    assert kinds[16] is K.MEMORY_MAMBA and kinds[17] is K.FULL_ATTENTION
    assert {i for i, k in enumerate(kinds) if k is K.SLIDING_ATTENTION} == set(range(1, 16, 2))
    assert {i for i, k in enumerate(kinds) if k is K.GMU} == set(range(18, 32, 2))
    assert {i for i, k in enumerate(kinds) if k is K.CROSS_ATTENTION} == set(range(19, 32, 2))


def test_generation_config_supplies_the_stop_ids(tiny_model_path: Path, tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text((tiny_model_path / "config.json").read_text())
    (tmp_path / "generation_config.json").write_text(json.dumps({"eos_token_id": [200020, 199999]}))
    assert SambaYConfig.from_folder(tmp_path).stop_token_ids == (200020, 199999)


def test_config_is_frozen(tiny_model_path: Path) -> None:
    config = SambaYConfig.from_folder(tiny_model_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.hidden_size = 128  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"model_type": "llama"}, "model_type"),
        ({"architectures": ["LlamaForCausalLM"]}, "architectures"),
        ({"num_attention_heads": 6, "num_key_value_heads": 2}, "not divisible"),
        ({"num_attention_heads": 4, "num_key_value_heads": 1}, "must both be even"),
        ({"num_attention_heads": 16, "num_key_value_heads": 6}, "not a multiple"),
        ({"num_hidden_layers": 6}, "multiple of 4"),
        ({"sliding_window": [None, 8, None, None, None, None, None, None]}, "exactly the layers"),
        ({"layer_types": ["sliding_attention"] * 8}, "layer_types puts"),
        ({"tie_word_embeddings": False}, "untied"),
        ({"hidden_act": "gelu"}, "hidden_act"),
        ({"sliding_window": 0}, "sliding_window must be a positive integer"),
        ({"mamba_dt_rank": "big"}, "mamba_dt_rank"),
    ],
)
def test_bad_configs_are_explained(tiny_model_path: Path, change: dict, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        SambaYConfig.from_dict({**fixture_raw(tiny_model_path), **change})


def test_missing_keys_are_named(tiny_model_path: Path) -> None:
    raw = {k: v for k, v in fixture_raw(tiny_model_path).items() if k != "hidden_size"}
    with pytest.raises(ConfigError, match="hidden_size"):
        SambaYConfig.from_dict(raw)
