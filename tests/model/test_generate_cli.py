"""``flashtutor generate`` streams the tiny model's answer through a real (byte-level) tokenizer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from app.cli import main
from model import load_model, load_tokenizer


@pytest.fixture(scope="module")
def folder(readable_tiny_model: Callable[..., Path]) -> Path:
    """The fixture checkpoint plus a byte-level tokenizer with chat tokens, sized to the 512-id vocabulary."""
    return readable_tiny_model()


def test_generate_streams_the_greedy_answer(folder: Path) -> None:
    """The default dtype is bf16 on the CPU too (issue 15: float32 doubles the memory for no speed)."""
    model, tokenizer = load_model(folder, dtype=torch.bfloat16), load_tokenizer(folder)
    ids = tokenizer.apply_chat_template([{"role": "user", "content": "What is 2+2?"}])
    expected = "".join(
        p.text
        for p in model.generate_stream(
            ids, max_new_tokens=12, temperature=0, stop_token_ids=(511, 256, 258), tokenizer=tokenizer
        )
    )
    assert expected.strip()
    args = [
        "generate",
        "--model",
        str(folder),
        "--max-new-tokens",
        "12",
        "--temperature",
        "0",
        "--device",
        "cpu",
        "What is 2+2?",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output == expected + "\n"


def test_generate_explains_a_bad_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["generate", "--model", str(tmp_path), "hi"])
    assert result.exit_code == 1
    assert "no config.json" in result.output


@pytest.fixture(scope="module")
def short_tokenizer_folder(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The readable model with a tokenizer that knows only ids below 300 of the model's 512 (as Phi-4's
    tokenizer knows 200,029 of its model's 200,064)."""
    short = tmp_path_factory.mktemp("short-tokenizer")
    for path in folder.iterdir():
        (short / path.name).symlink_to(path.resolve())
    (short / "tokenizer.json").unlink()
    spec = json.loads((folder / "tokenizer.json").read_text())
    spec["added_tokens"] = [t for t in spec["added_tokens"] if t["id"] < 300]
    (short / "tokenizer.json").write_text(json.dumps(spec))
    return short


def test_ids_the_tokenizer_cannot_decode_are_never_sampled(short_tokenizer_folder: Path) -> None:
    model, tokenizer = load_model(short_tokenizer_folder), load_tokenizer(short_tokenizer_folder)
    assert tokenizer.unknown_ids(512) == tuple(range(300, 512))
    ids = tokenizer.apply_chat_template([{"role": "user", "content": "What is 2+2?"}])
    unmasked = torch.tensor(model.generate([ids], max_new_tokens=64, temperature=1.0, seed=0)[0])
    assert (unmasked >= 300).any()  # without the mask this random model does pick them
    for seed in range(3):
        pieces = list(
            model.generate_stream(
                ids, max_new_tokens=64, temperature=1.0, seed=seed, stop_token_ids=(), tokenizer=tokenizer
            )
        )
        sampled = [p.token_id for p in pieces if p.token_id is not None]  # a last piece may flush text
        assert len(sampled) == 64 and max(sampled) < 300
    args = ["generate", "--model", str(short_tokenizer_folder), "--max-new-tokens", "40", "--seed", "1"]
    result = CliRunner().invoke(main, [*args, "--temperature", "1.5", "--device", "cpu", "hi"])
    assert result.exit_code == 0, result.output


def test_generate_with_int8_weights(folder: Path) -> None:
    args = ["generate", "--model", str(folder), "--max-new-tokens", "8", "--temperature", "0"]
    result = CliRunner().invoke(main, [*args, "--device", "cpu", "--quantize", "int8", "What is 2+2?"])
    assert result.exit_code == 0, result.output
    assert result.output.strip()
