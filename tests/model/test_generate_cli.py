"""``flashtutor generate`` streams the tiny model's answer through a real (byte-level) tokenizer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tokenizers import Tokenizer, decoders, models, pre_tokenizers

from app.cli import main
from model import load_model, load_tokenizer

CHAT_TOKENS = ["<|endoftext|>", "<|assistant|>", "<|end|>", "<|user|>", "<|system|>", "<|tool|>", "<|/tool|>"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, tiny_model_path: Path) -> Path:
    """The fixture checkpoint plus a byte-level tokenizer with chat tokens, sized to the 512-id vocabulary."""
    folder = tmp_path_factory.mktemp("cli")
    for name in ("config.json", "model.safetensors"):
        (folder / name).symlink_to(tiny_model_path / name)
    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    tokenizer = Tokenizer(models.BPE(vocab={c: i for i, c in enumerate(alphabet)}, merges=[]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.save(str(folder / "tokenizer.json"))
    spec = json.loads((folder / "tokenizer.json").read_text())
    # Ids past the chat tokens up to 511 become plain added tokens "<N>", so every id the model emits decodes.
    added = [*CHAT_TOKENS, *(f"<{i}>" for i in range(256 + len(CHAT_TOKENS), 512))]
    spec["added_tokens"] = [{"id": 256 + n, "content": t, "special": True} for n, t in enumerate(added)]
    (folder / "tokenizer.json").write_text(json.dumps(spec))
    return folder


def test_generate_streams_the_greedy_answer(folder: Path) -> None:
    model, tokenizer = load_model(folder), load_tokenizer(folder)
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
