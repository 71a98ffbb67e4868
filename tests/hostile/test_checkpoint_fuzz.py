"""load_model on corrupted checkpoint folders: a CheckpointError every time, quickly, never another error."""

from __future__ import annotations

import json
import shutil
import struct
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors.torch import load_file, save_file

from model import CheckpointError, load_model

SECONDS = 20.0


@pytest.fixture(scope="module")
def raw_config(tiny_model_path: Path) -> dict[str, Any]:
    return json.loads((tiny_model_path / "config.json").read_text())


@pytest.fixture(scope="module")
def weights(tiny_model_path: Path) -> bytes:
    return (tiny_model_path / "model.safetensors").read_bytes()


def folder_with(config: dict[str, Any] | str, weights: bytes | None, **files: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="flashtutor-ckpt-"))
    (folder / "config.json").write_text(config if isinstance(config, str) else json.dumps(config))
    if weights is not None:
        (folder / "model.safetensors").write_bytes(weights)
    for name, text in files.items():
        (folder / name.replace("__", ".")).write_text(text)
    return folder


def refused(folder: Path) -> CheckpointError:
    started = time.perf_counter()
    try:
        with pytest.raises(CheckpointError) as caught:
            load_model(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert time.perf_counter() - started < SECONDS
    assert str(caught.value).strip()
    return caught.value


def with_header(weights: bytes, change: dict[str, Any]) -> bytes:
    """The same data behind a rewritten header: ``change`` replaces fields of the first tensor's entry."""
    length = struct.unpack("<Q", weights[:8])[0]
    header = json.loads(weights[8 : 8 + length])
    first = next(name for name in header if name != "__metadata__")
    header[first] = {**header[first], **change}
    encoded = json.dumps(header).encode()
    return struct.pack("<Q", len(encoded)) + encoded + weights[8 + length :]


BAD_CONFIGS: dict[str, dict[str, Any]] = {
    "eps is text": {"layer_norm_eps": "abc"},
    "eps is null": {"layer_norm_eps": None},
    "eps is true": {"layer_norm_eps": True},
    "architectures is a number": {"architectures": 5},
    "window list of lists": {"sliding_window": [None, [1], None, [1], None, None, None, None]},
    "four million layers": {"num_hidden_layers": 4_000_000},
    "huge vocabulary": {"vocab_size": 10**15},
    "layers as text": {"num_hidden_layers": "8"},
    "hidden size as float": {"hidden_size": 64.0},
    "other model type": {"model_type": "llama"},
    "negative heads": {"num_attention_heads": -8},
    "eos id as text": {"eos_token_id": "x"},
}


@pytest.mark.parametrize("change", BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_wrong_configs_are_refused(raw_config: dict, weights: bytes, change: dict) -> None:
    """The first five used to escape as TypeError; four million layers used to build for hours."""
    refused(folder_with({**raw_config, **change}, weights))


@pytest.mark.parametrize("text", ["[1, 2]", '{"model_type": NaN}', "\xff\xfe", "", "{" * 10_000, "null"])
def test_configs_that_are_not_json_objects_are_refused(weights: bytes, text: str) -> None:
    refused(folder_with(text, weights))


@pytest.mark.parametrize(
    "change",
    [{"data_offsets": [0, 10**12]}, {"dtype": "F8_E4M3"}, {"shape": [2**40, 2**40]}, {"dtype": "XYZ"}],
)
def test_lying_headers_are_refused(raw_config: dict, weights: bytes, change: dict) -> None:
    refused(folder_with(raw_config, with_header(weights, change)))


@pytest.mark.parametrize("blob", [b"", struct.pack("<Q", 2**62) + b"{}", struct.pack("<Q", 1000) + b"{}"])
def test_headers_that_claim_impossible_sizes_are_refused(raw_config: dict, blob: bytes) -> None:
    refused(folder_with(raw_config, blob))


@pytest.mark.parametrize("dtype", [torch.int8, torch.int64, torch.bool, torch.uint8])
def test_integer_weights_are_refused(raw_config: dict, tiny_model_path: Path, dtype: torch.dtype) -> None:
    """Integer tensors used to be cast to float and loaded as if they were weights."""
    tensors = load_file(tiny_model_path / "model.safetensors")
    name = next(iter(tensors))
    folder = folder_with(raw_config, None)
    save_file({**tensors, name: tensors[name].to(dtype)}, folder / "model.safetensors")
    assert "not weights" in str(refused(folder))


@pytest.mark.parametrize("shard", ["/etc/passwd", "../model.safetensors", ".", 5, None])
def test_index_shards_outside_the_folder_are_refused(raw_config: dict, weights: bytes, shard: Any) -> None:
    index = json.dumps({"weight_map": {"model.embed_tokens.weight": shard}})
    refused(folder_with(raw_config, None, model__safetensors__index__json=index))


@pytest.mark.parametrize("index", ["[1]", '{"weight_map": [1]}', "{", '{"weight_map": {}}', "\x00"])
def test_broken_indexes_are_refused(raw_config: dict, index: str) -> None:
    refused(folder_with(raw_config, None, model__safetensors__index__json=index))


@settings(settings.get_profile("hostile"), max_examples=40)
@given(st.binary(max_size=4096))
def test_random_bytes_are_refused(raw_config: dict, blob: bytes) -> None:
    refused(folder_with(raw_config, blob))


@settings(settings.get_profile("hostile"), max_examples=25)
@given(st.integers(0, 10**7), st.integers(0, 255))
def test_cut_or_flipped_files_are_refused_or_load(raw_config: dict, weights: bytes, cut: int, byte: int):
    """A cut anywhere is refused; a flipped byte is refused unless it only changed a weight's value."""
    cut %= len(weights)
    refused(folder_with(raw_config, weights[:cut]))
    flipped = bytearray(weights)
    flipped[cut % 4096] = byte  # inside the header, where a change must be noticed or be harmless
    folder = folder_with(raw_config, bytes(flipped))
    try:
        model = load_model(folder)
        assert sum(p.numel() for p in model.parameters()) > 0
    except CheckpointError as error:
        assert str(error).strip()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
