"""``flashtutor generate`` streams the tiny model's answer through a real (byte-level) tokenizer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from model import load_model, load_tokenizer


@pytest.fixture(scope="module")
def folder(readable_tiny_model: Callable[..., Path]) -> Path:
    """The fixture checkpoint plus a byte-level tokenizer with chat tokens, sized to the 512-id vocabulary."""
    return readable_tiny_model()


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
