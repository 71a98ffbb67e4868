"""load_model: single-file and sharded folders, and one clear CheckpointError per kind of bad checkpoint."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from model import CheckpointError, load_model
from model.sambay import SambaY


@pytest.fixture(scope="module")
def tensors(tiny_model_path: Path) -> dict[str, torch.Tensor]:
    return load_file(tiny_model_path / "model.safetensors")


@pytest.fixture(scope="module")
def raw_config(tiny_model_path: Path) -> dict:
    return json.loads((tiny_model_path / "config.json").read_text())


def write_sharded(folder: Path, raw_config: dict, tensors: dict[str, torch.Tensor]) -> Path:
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(raw_config))
    names = sorted(tensors)
    shards = {"model-00001-of-00002.safetensors": names[::2], "model-00002-of-00002.safetensors": names[1::2]}
    for shard, shard_names in shards.items():
        save_file({n: tensors[n] for n in shard_names}, folder / shard)
    weight_map = {n: shard for shard, shard_names in shards.items() for n in shard_names}
    (folder / "model.safetensors.index.json").write_text(
        json.dumps({"metadata": {}, "weight_map": weight_map})
    )
    return folder


def test_a_sharded_checkpoint_loads_like_the_single_file(
    tmp_path: Path, raw_config: dict, tensors: dict, tiny_model: SambaY, expected: dict
) -> None:
    model = load_model(write_sharded(tmp_path / "sharded", raw_config, tensors))
    assert not any(p.is_meta or p.requires_grad for p in model.parameters())
    with torch.no_grad():
        assert torch.equal(model(expected["input_ids"]), tiny_model(expected["input_ids"]))


def test_a_missing_shard_is_named(tmp_path: Path, raw_config: dict, tensors: dict) -> None:
    folder = write_sharded(tmp_path / "sharded", raw_config, tensors)
    (folder / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(CheckpointError, match=r"missing the shards.*model-00002-of-00002"):
        load_model(folder)


def test_a_truncated_file_is_reported(tmp_path: Path, tiny_model_path: Path) -> None:
    folder = tmp_path / "ckpt"
    shutil.copytree(tiny_model_path, folder)
    data = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").chmod(0o644)
    (folder / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_model(folder)


def test_a_file_that_is_not_safetensors_is_reported(tmp_path: Path, raw_config: dict) -> None:
    (tmp_path / "config.json").write_text(json.dumps(raw_config))
    (tmp_path / "model.safetensors").write_bytes(b"this is not a tensor file")
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_model(tmp_path)


def test_a_wrong_shape_is_named(
    tmp_path: Path, raw_config: dict, tensors: dict, write_checkpoint: Callable
) -> None:
    name = "model.layers.3.attn.Wqkv.weight"
    folder = write_checkpoint(tmp_path / "c", raw_config, {**tensors, name: tensors[name][:-1]})
    with pytest.raises(
        CheckpointError, match=rf"{name} in model.safetensors has shape \[127, 64\].*\[128, 64\]"
    ):
        load_model(folder)


def test_a_missing_tensor_is_named(
    tmp_path: Path, raw_config: dict, tensors: dict, write_checkpoint: Callable
) -> None:
    name = "model.layers.6.attn.in_proj.weight"
    folder = write_checkpoint(tmp_path / "c", raw_config, {k: v for k, v in tensors.items() if k != name})
    with pytest.raises(CheckpointError, match=rf"missing tensors {name}"):
        load_model(folder)


def test_an_unexpected_tensor_is_named(
    tmp_path: Path, raw_config: dict, tensors: dict, write_checkpoint: Callable
) -> None:
    extra = {"lm_head.weight": tensors["model.embed_tokens.weight"].clone()}
    folder = write_checkpoint(tmp_path / "c", raw_config, {**tensors, **extra})
    with pytest.raises(CheckpointError, match=r"unexpected tensors lm_head\.weight"):
        load_model(folder)


def test_another_architecture_is_refused(
    tmp_path: Path, raw_config: dict, tensors: dict, write_checkpoint: Callable
) -> None:
    llama = {**raw_config, "model_type": "llama", "architectures": ["LlamaForCausalLM"]}
    folder = write_checkpoint(tmp_path / "c", llama, tensors)
    with pytest.raises(CheckpointError, match=r"not a usable SambaY.*model_type is 'llama'"):
        load_model(folder)


def test_folders_without_the_files_are_explained(tmp_path: Path, raw_config: dict) -> None:
    with pytest.raises(CheckpointError, match="does not exist"):
        load_model(tmp_path / "nowhere")
    with pytest.raises(CheckpointError, match=r"no config\.json"):
        load_model(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps(raw_config))
    with pytest.raises(CheckpointError, match=r"neither model\.safetensors nor"):
        load_model(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="not readable JSON"):
        load_model(tmp_path)
