"""Model fixtures: the loaded parity fixture and random checkpoints of other SambaY shapes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file, save_file

from model import load_model
from model.config import SambaYConfig
from model.loader import CHECKPOINT_PREFIX
from model.sambay import SambaY

# Unlike the fixture in every size: 12 layers, 3 query heads per kv head, window 5, conv width 3.
OTHER_SHAPE: dict[str, Any] = {
    "architectures": ["Phi4FlashForCausalLM"],
    "model_type": "phi4flash",
    "vocab_size": 300,
    "hidden_size": 96,
    "intermediate_size": 80,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "num_key_value_heads": 4,
    "sliding_window": 5,
    "layer_norm_eps": 1e-5,
    "mamba_d_state": 8,
    "mamba_d_conv": 3,
    "mamba_expand": 3,
    "tie_word_embeddings": True,
    "eos_token_id": 299,
}


def random_model(raw_config: dict[str, Any], seed: int = 0) -> SambaY:
    """A model whose every tensor is random, so that any wiring mistake shows in the logits."""
    torch.manual_seed(seed)
    model = SambaY(SambaYConfig.from_dict(raw_config)).eval().requires_grad_(False)
    for name, p in model.named_parameters():
        if "layernorm" in name or "subln" in name:
            p.normal_(1.0 if name.endswith("weight") else 0.0, 0.1)
        elif name.endswith("dt_proj.bias"):
            p.uniform_(-4.0, 0.5)  # softplus gives steps between about 0.02 and 1
        elif name.endswith(("lambda_q1", "lambda_k1", "lambda_q2", "lambda_k2")):
            p.normal_(0.0, 0.25)
        elif name.endswith((".D", ".bias")):
            p.normal_(1.0 if name.endswith(".D") else 0.0, 0.1)
        elif name.endswith("embed_tokens.weight"):
            p.normal_(0.0, 0.3)
    return model


@pytest.fixture(scope="session", autouse=True)
def one_cpu_thread() -> Iterator[None]:
    """Tiny models are dominated by per-op overhead; on a busy shared CPU a second thread makes every
    op wait for the other (20x slower here), so the model tests run single-threaded."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def tiny_model(tiny_model_path: Path) -> SambaY:
    return load_model(tiny_model_path)


@pytest.fixture(scope="session")
def expected(tiny_model_path: Path) -> dict[str, torch.Tensor]:
    return load_file(tiny_model_path / "expected.safetensors")


@pytest.fixture(scope="session")
def write_checkpoint() -> Callable[[Path, dict[str, Any], dict[str, torch.Tensor]], Path]:
    """Save a config and tensors (already in checkpoint naming) as a one-file checkpoint folder."""

    def write(folder: Path, raw_config: dict[str, Any], tensors: dict[str, torch.Tensor]) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.json").write_text(json.dumps(raw_config))
        save_file({k: v.contiguous() for k, v in tensors.items()}, folder / "model.safetensors")
        return folder

    return write


@pytest.fixture(scope="session")
def other_checkpoint(tmp_path_factory: pytest.TempPathFactory, write_checkpoint: Callable) -> Path:
    model = random_model(OTHER_SHAPE, seed=1)
    tensors = {CHECKPOINT_PREFIX + name: p for name, p in model.state_dict().items()}
    return write_checkpoint(tmp_path_factory.mktemp("other") / "ckpt", OTHER_SHAPE, tensors)
