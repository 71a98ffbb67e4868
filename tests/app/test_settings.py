"""Settings for running the model: bf16 by default on every device, int8 only when asked."""

from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from app.settings import Settings
from app.worker.host import resolve_device


def test_auto_dtype_is_bf16_on_the_cpu_too() -> None:
    assert resolve_device("cpu", "auto") == ("cpu", torch.bfloat16)
    assert resolve_device("cpu", "float32") == ("cpu", torch.float32)


def test_quantize_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().quantize is None
    monkeypatch.setenv("FLASHTUTOR_QUANTIZE", "int8")
    assert Settings().quantize == "int8"
    monkeypatch.setenv("FLASHTUTOR_QUANTIZE", "int4")
    with pytest.raises(ValidationError, match="int8"):
        Settings()
