"""The network against the reference logits of the shared fixture, in float32 and bfloat16."""

from __future__ import annotations

from pathlib import Path

import torch

from model import load_model
from model.sambay import SambaY

TOLERANCE = 1e-4  # the fixture README's bound for float32


def test_logits_match_the_reference(tiny_model: SambaY, expected: dict[str, torch.Tensor]) -> None:
    with torch.no_grad():
        logits = tiny_model(expected["input_ids"])
    assert logits.shape == expected["logits"].shape == (3, 40, 512)
    assert (logits - expected["logits"]).abs().max() < TOLERANCE


def test_hidden_states_and_memory_match_the_reference(tiny_model: SambaY, expected: dict) -> None:
    found: dict = {}
    with torch.no_grad():
        tiny_model(expected["input_ids"], intermediates=found)
    hidden = torch.stack([h[0] for h in found["hidden_states"]])  # layer inputs 0..7, final norm output
    assert hidden.shape == expected["hidden_states_seq0"].shape == (9, 40, 64)
    assert (hidden - expected["hidden_states_seq0"]).abs().max() < TOLERANCE
    assert (found["memory"][0] - expected["layer4_memory_seq0"]).abs().max() < TOLERANCE


def test_bfloat16_keeps_a_float32_residual_stream(
    tiny_model_path: Path, tiny_model: SambaY, expected: dict
) -> None:
    model = load_model(tiny_model_path, dtype=torch.bfloat16)
    assert model.embed_tokens.weight.dtype == torch.bfloat16
    assert model.layers[0].attn.A_log.dtype == torch.float32
    assert model.layers[1].attn.inner_cross_attn.lambda_q1.dtype == torch.float32
    found: dict = {}
    with torch.no_grad():
        logits = model(expected["input_ids"], intermediates=found).float()
        reference = tiny_model(expected["input_ids"])
    assert all(h.dtype == torch.float32 for h in found["hidden_states"][:-1])
    assert found["hidden_states"][-1].dtype == torch.bfloat16  # the final norm runs in the weight dtype
    # bf16 keeps 8 significant bits (relative step 2^-8 = 0.4%). Over 8 layers the rounding errors add
    # up to about 1.5% of the logits' spread (std about 2.5) on average, and the logits themselves are
    # bf16 (a step of 0.03 at magnitude 4); measured: mean 0.04, max 0.35. The bounds leave about 1.5x
    # headroom yet are far below what a real mistake gives (a wrong head mapping moves logits by 10).
    error = (logits - reference).abs()
    assert error.mean() < 0.06
    assert error.max() < 0.5
    assert (logits.argmax(-1) == reference.argmax(-1)).float().mean() > 0.85
