"""The official 3.8B config builds (on the meta device) with exactly the official tensors and size."""

from __future__ import annotations

import pytest
import torch

from model.config import SambaYConfig
from model.loader import checkpoint_shapes
from model.sambay import SambaY

# config.json of microsoft/Phi-4-mini-flash-reasoning (spec section 1.1).
OFFICIAL_CONFIG = {
    "architectures": ["Phi4FlashForCausalLM"],
    "attention_dropout": 0.0,
    "auto_map": {
        "AutoConfig": "configuration_phi4flash.Phi4FlashConfig",
        "AutoModelForCausalLM": "modeling_phi4flash.Phi4FlashForCausalLM",
        "AutoTokenizer": "Xenova/gpt-4o",
    },
    "bos_token_id": 199999,
    "embd_pdrop": 0.0,
    "eos_token_id": 199999,
    "hidden_act": "silu",
    "hidden_size": 2560,
    "initializer_range": 0.02,
    "intermediate_size": 10240,
    "layer_norm_eps": 1e-05,
    "lm_head_bias": False,
    "max_position_embeddings": 262144,
    "mb_per_layer": 2,
    "mlp_bias": False,
    "model_type": "phi4flash",
    "num_attention_heads": 40,
    "num_hidden_layers": 32,
    "num_key_value_heads": 20,
    "pad_token_id": 199999,
    "resid_pdrop": 0.0,
    "sliding_window": 512,
    "tie_word_embeddings": True,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.46.1",
    "use_cache": True,
    "vocab_size": 200064,
    "_attn_implementation": "flash_attention_2",
}


@pytest.fixture(scope="module")
def shapes() -> dict[str, tuple[int, ...]]:
    with torch.device("meta"):
        model = SambaY(SambaYConfig.from_dict(OFFICIAL_CONFIG))
    assert sum(p.numel() for p in model.parameters()) == 3_852_562_944
    return checkpoint_shapes(model)


def test_official_tensor_count_and_global_tensors(shapes: dict[str, tuple[int, ...]]) -> None:
    assert len(shapes) == 434
    assert "lm_head.weight" not in shapes
    assert shapes["model.embed_tokens.weight"] == (200064, 2560)
    assert shapes["model.final_layernorm.weight"] == shapes["model.final_layernorm.bias"] == (2560,)


def test_every_layer_has_norms_and_mlp(shapes: dict[str, tuple[int, ...]]) -> None:
    for i in range(32):
        p = f"model.layers.{i}."
        for norm in ("input_layernorm", "post_attention_layernorm"):
            assert shapes[p + norm + ".weight"] == shapes[p + norm + ".bias"] == (2560,)
        assert shapes[p + "mlp.fc1.weight"] == (20480, 2560)
        assert shapes[p + "mlp.fc2.weight"] == (2560, 10240)


@pytest.mark.parametrize("layer", [*range(0, 17, 2)])
def test_mamba_layers(shapes: dict[str, tuple[int, ...]], layer: int) -> None:
    p = f"model.layers.{layer}.attn."
    assert {k.removeprefix(p): v for k, v in shapes.items() if k.startswith(p)} == {
        "in_proj.weight": (10240, 2560),
        "conv1d.weight": (5120, 1, 4),
        "conv1d.bias": (5120,),
        "x_proj.weight": (192, 5120),
        "dt_proj.weight": (5120, 160),
        "dt_proj.bias": (5120,),
        "A_log": (5120, 16),
        "D": (5120,),
        "out_proj.weight": (2560, 5120),
    }


@pytest.mark.parametrize("layer", [*range(1, 32, 2)])
def test_attention_layers(shapes: dict[str, tuple[int, ...]], layer: int) -> None:
    p = f"model.layers.{layer}.attn."
    qkv = 5120 if layer <= 17 else 2560  # cross-attention layers only project queries
    assert {k.removeprefix(p): v for k, v in shapes.items() if k.startswith(p)} == {
        "Wqkv.weight": (qkv, 2560),
        "Wqkv.bias": (qkv,),
        "out_proj.weight": (2560, 2560),
        "out_proj.bias": (2560,),
        "inner_cross_attn.lambda_q1": (64,),
        "inner_cross_attn.lambda_k1": (64,),
        "inner_cross_attn.lambda_q2": (64,),
        "inner_cross_attn.lambda_k2": (64,),
        "inner_cross_attn.subln.weight": (128,),
    }


@pytest.mark.parametrize("layer", [*range(18, 32, 2)])
def test_gmu_layers(shapes: dict[str, tuple[int, ...]], layer: int) -> None:
    p = f"model.layers.{layer}.attn."
    assert {k.removeprefix(p): v for k, v in shapes.items() if k.startswith(p)} == {
        "in_proj.weight": (5120, 2560),
        "out_proj.weight": (2560, 5120),
    }


def test_state_budget_of_the_real_model() -> None:
    with torch.device("meta"):
        model = SambaY(SambaYConfig.from_dict(OFFICIAL_CONFIG)).to(torch.bfloat16)
        state = model.allocate_state(1, 1024)
    mamba = 9 * 5120 * (3 + 16) * 2  # conv keeps K-1 = 3 inputs
    swa = 8 * 2 * 20 * 512 * 64 * 2
    full = 2 * 20 * 1024 * 64 * 2  # 5,120 bytes per token
    assert state.bytes_per_slot() == mamba + swa + full
