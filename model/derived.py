"""Values made from parameters once and kept until a parameter changes (a decode step would otherwise
remake them in every layer for every token: Mamba's A, differential attention's lambda)."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor


def derived(owner: object, name: str, sources: tuple[Tensor, ...], make: Callable[[], Tensor]) -> Tensor:
    """``make()``, kept on ``owner`` as ``name`` and remade when a source's memory, device or version
    changes (inference tensors keep no version; weights are not written under inference mode). Never
    kept while autograd tracks a source: training needs a fresh graph each step."""
    if torch.is_grad_enabled() and any(s.requires_grad for s in sources):
        return make()
    key = tuple((s.data_ptr(), s.device, None if s.is_inference() else s._version) for s in sources)
    kept = getattr(owner, name, None)
    if kept is None or kept[0] != key:
        kept = (key, make())
        setattr(owner, name, kept)
    return kept[1]
