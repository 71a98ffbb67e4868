"""The SambaY (Phi-4-mini-flash-reasoning) network, its loader, tokenizer and serving engine."""

from __future__ import annotations

from typing import Any

from model.loader import CheckpointError, load_model


def load_tokenizer(path: Any = None) -> Any:
    """The tokenizer for a checkpoint folder (imported on first use; see ``model.tokenizer``)."""
    from model.tokenizer import load_tokenizer as load

    return load(path)


__all__ = ["CheckpointError", "load_model", "load_tokenizer"]
