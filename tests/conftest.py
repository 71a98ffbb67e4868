"""Shared fixtures: paths to the shared fixtures and access to the real local servers.

Tests that need PostgreSQL or Redis use the real servers on this machine. Without them the tests are
skipped, except when ``CI=true``: then a missing server fails the run.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from tokenizers import Tokenizer, decoders, models, pre_tokenizers

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("FLASHTUTOR_SHARED", ROOT.parent / "shared"))
TINY_MODEL = SHARED / "fixtures" / "sambay-tiny"
DATA = SHARED / "data"

POSTGRES_URL = os.environ.get("FLASHTUTOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("FLASHTUTOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def _require_server(name: str, host: str, port: int) -> None:
    if _reachable(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if IN_CI:
        pytest.fail(f"{message}; CI=true requires it")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    _require_server("PostgreSQL", "127.0.0.1", 5432)
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    _require_server("Redis", "127.0.0.1", 6379)
    return REDIS_URL


@pytest.fixture(scope="session")
def tiny_model_path() -> Path:
    if not (TINY_MODEL / "config.json").exists():
        pytest.fail(f"shared fixture missing: {TINY_MODEL}")
    return TINY_MODEL


CHAT_TOKENS = ["<|endoftext|>", "<|assistant|>", "<|end|>", "<|user|>", "<|system|>", "<|tool|>", "<|/tool|>"]


@pytest.fixture(scope="session")
def readable_tiny_model(
    tmp_path_factory: pytest.TempPathFactory, tiny_model_path: Path
) -> Callable[..., Path]:
    """Builds the tiny checkpoint with a byte-level tokenizer it can read: 256 byte tokens, then the chat
    tokens, then plain added tokens "<N>" up to id 511, so every id the model samples decodes.

    ``separate_files`` lists the added tokens in added_tokens.json + tokenizer_config.json (the other
    layout a checkpoint folder may use) instead of inside tokenizer.json.
    """

    def build(*, separate_files: bool = False) -> Path:
        folder = tmp_path_factory.mktemp("readable-model")
        for name in ("config.json", "model.safetensors"):
            (folder / name).symlink_to(tiny_model_path / name)
        alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
        tokenizer = Tokenizer(models.BPE(vocab={c: i for i, c in enumerate(alphabet)}, merges=[]))
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tokenizer.decoder = decoders.ByteLevel()
        tokenizer.save(str(folder / "tokenizer.json"))
        added = [*CHAT_TOKENS, *(f"<{i}>" for i in range(256 + len(CHAT_TOKENS), 512))]
        if separate_files:
            ids = {token: 256 + n for n, token in enumerate(added)}
            (folder / "added_tokens.json").write_text(json.dumps(ids))
            (folder / "tokenizer_config.json").write_text(json.dumps({"eos_token": "<|endoftext|>"}))
        else:
            spec = json.loads((folder / "tokenizer.json").read_text())
            spec["added_tokens"] = [  # every field, so the tokenizers library (and transformers) reads it
                {"id": 256 + n, "content": token, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": False, "special": True}
                for n, token in enumerate(added)
            ]  # fmt: skip
            (folder / "tokenizer.json").write_text(json.dumps(spec))
        return folder

    return build
