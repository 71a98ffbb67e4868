"""CPU weight layouts: packed fp16 for bf16 models and weight-only int8, against the unpacked model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from torch import nn

from model import load_model
from model.kernels.gemv import native
from model.loader import CheckpointError
from model.packing import (
    Int8Linear,
    PackedLinear,
    PackingError,
    StreamedLinear,
    can_pack,
    pack_linears,
    packs_by_default,
)
from model.sambay import SambaY
from tests.model.test_decode import teacher_forced
from tests.model.test_loader import write_sharded

pytestmark = pytest.mark.skipif(not can_pack(), reason="this PyTorch build has no fbgemm backend")


def linears(model: SambaY) -> dict[str, nn.Module]:
    kinds = (nn.Linear, PackedLinear, Int8Linear, StreamedLinear)
    return {name: m for name, m in model.named_modules() if isinstance(m, kinds)}


@pytest.mark.skipif(not packs_by_default(), reason="this CPU multiplies bf16 natively: no packing by default")
def test_a_bf16_model_on_cpu_runs_packed_fp16_and_keeps_the_bf16_numbers(
    tiny_model_path: Path, tiny_model: SambaY, expected: dict
) -> None:
    model = load_model(tiny_model_path, dtype=torch.bfloat16)
    layers = linears(model)
    assert {type(m) for name, m in layers.items() if not name.endswith("dt_proj")} == {PackedLinear}
    assert all(type(m) is nn.Linear for name, m in layers.items() if name.endswith("dt_proj"))
    assert isinstance(model.lm_head, PackedLinear)
    ids = expected["input_ids"]
    logits = model(ids).float()
    reference = tiny_model(ids)
    # Same bounds as the unpacked bf16 parity test: fp16 holds every bf16 weight of the fixture exactly.
    error = (logits - reference).abs()
    assert error.mean() < 0.06 and error.max() < 0.5
    assert (logits.argmax(-1) == reference.argmax(-1)).float().mean() > 0.85


def test_int8_logit_error_against_bf16_on_the_fixture(tiny_model_path: Path, expected: dict) -> None:
    """Weight-only int8 (per-channel scales) vs the bf16 model. Measured: mean 0.074, max 0.68 on
    logits whose spread (std) is 2.5; 97% of greedy tokens agree. Fbgemm's dynamic int8, which also
    quantizes activations, measured mean 0.36 here: the bounds below reject it."""
    ids = expected["input_ids"]
    bf16 = load_model(tiny_model_path, dtype=torch.bfloat16)(ids).float()
    model = load_model(tiny_model_path, dtype=torch.bfloat16, quantize="int8")
    assert isinstance(model.lm_head, Int8Linear) and isinstance(model.layers[0].mlp.fc1, Int8Linear)
    assert model.layers[0].mlp.fc1.qweight.dtype == torch.int8
    logits = model(ids).float()
    error = (logits - bf16).abs()
    assert error.mean() < 0.12 and error.max() < 1.2
    assert (logits.argmax(-1) == bf16.argmax(-1)).float().mean() > 0.9


def test_int8_decoding_equals_its_own_forward(tiny_model_path: Path, expected: dict) -> None:
    """Steps take the int8 matrix-vector kernel and the prompt the dequantized blocks: same numbers."""
    model = load_model(tiny_model_path, quantize="int8")  # float32 activations: only the weights differ
    ids = expected["input_ids"]
    Int8Linear.DECODE_ROWS, rows = 0, Int8Linear.DECODE_ROWS  # the whole forward on the block path
    try:
        full = model(ids)
    finally:
        Int8Linear.DECODE_ROWS = rows
    steps = teacher_forced(model, ids, 5, torch.arange(3))
    # The step kernel rounds activations to bf16 (the only input it vectorises): bf16-sized differences.
    assert (steps - full[:, 4:]).abs().max() < 0.3


@pytest.mark.parametrize("in_features", [40, 64])  # 40: not the kernel's width (it crashed there); 64: is
def test_int8_block_path_is_the_dequantized_product(in_features: int) -> None:
    torch.manual_seed(0)
    linear = nn.Linear(in_features, 70)
    packed = Int8Linear(linear.weight, linear.bias)
    packed._block_rows = 16  # several blocks
    dequantized = packed.qweight.float() * packed.scale.float()[:, None]
    assert (dequantized - linear.weight).abs().max() <= linear.weight.abs().max() / 127
    x = torch.randn(2, 20, in_features)
    assert torch.allclose(packed(x), x @ dequantized.T + linear.bias, atol=1e-5)
    assert torch.allclose(packed(x[:, :1]), x[:, :1] @ dequantized.T + linear.bias, atol=0.05)


def test_packed_fp16_equals_the_float32_product_of_bf16_weights() -> None:
    torch.manual_seed(1)
    weight, bias = torch.randn(3000, 24).bfloat16(), torch.randn(3000)
    layer = PackedLinear(weight, bias)
    x = torch.randn(5, 24)
    assert torch.allclose(layer(x), x @ weight.float().T + bias, atol=1e-4)


def test_a_weight_beyond_fp16_range_keeps_its_layer_unpacked() -> None:
    model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 4))
    with torch.no_grad():
        model[1].weight[0, 0] = 1e5
    assert pack_linears(model) == 1
    assert isinstance(model[0], PackedLinear) and type(model[1]) is nn.Linear


def test_bad_quantize_requests_are_explained(tiny_model_path: Path) -> None:
    with pytest.raises(PackingError, match="quantize must be one of"):
        pack_linears(nn.Linear(2, 2), "int4")
    with pytest.raises(CheckpointError, match="quantize must be one of"):
        load_model(tiny_model_path, quantize="int4")
    with pytest.raises(CheckpointError, match="CPU only"):
        load_model(tiny_model_path, device="cuda", quantize="int8")


@pytest.mark.parametrize("quantize", [None, "int8"])
def test_a_sharded_checkpoint_packs_shard_by_shard_like_the_single_file(
    tmp_path: Path, tiny_model_path: Path, expected: dict, quantize: str | None
) -> None:
    """Packing happens as each shard is read (a layer's weight and bias may sit in different shards),
    and what stays unpacked is copied out of the file, so no memory map outlives its shard."""
    raw_config = json.loads((tiny_model_path / "config.json").read_text())
    tensors = load_file(tiny_model_path / "model.safetensors")
    folder = write_sharded(tmp_path / "sharded", raw_config, tensors)
    weight_map = json.loads((folder / "model.safetensors.index.json").read_text())["weight_map"]
    assert weight_map["model.layers.1.attn.Wqkv.weight"] != weight_map["model.layers.1.attn.Wqkv.bias"]
    sharded = load_model(folder, dtype=torch.bfloat16, quantize=quantize)
    single = load_model(tiny_model_path, dtype=torch.bfloat16, quantize=quantize)
    assert not any(p.is_meta or p.requires_grad for p in sharded.parameters())
    # Unquantized, a CPU with native bf16 keeps its weights (packs_by_default), streamed where the native
    # kernels built; either way both loads agree.
    by_default = PackedLinear if packs_by_default() else StreamedLinear if native() else nn.Linear
    assert type(sharded.layers[1].attn.Wqkv) is (by_default if quantize is None else Int8Linear)
    assert type(single.layers[1].attn.Wqkv) is type(sharded.layers[1].attn.Wqkv)
    with torch.no_grad():
        assert torch.equal(sharded(expected["input_ids"]), single(expected["input_ids"]))
