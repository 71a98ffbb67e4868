"""A reused buffer for a prompt's largest temporary, the MLP's up-projection.

Why: glibc serves allocations over 32 MB with fresh mappings, which the first write faults in page
by page. On a 2-core Xeon with AMX (issue 15's earlier bench runs), writing a 1,024 x 20,480 bf16 product
into a fresh tensor took 66-70 ms and into a reused one 56-60; over the 17 MLPs a 1,024-token prompt
runs, about 0.15 s. Each thread keeps one buffer (the layers of a prompt ask for the same shape in
turn, and each is done with it before the next asks); a new shape replaces it.
"""

from __future__ import annotations

import threading

import torch
from torch import Tensor

_local = threading.local()


def scratch(shape: tuple[int, ...], dtype: torch.dtype, device: torch.device) -> Tensor:
    """This thread's buffer of that shape, dtype and device: its contents are whatever the last user left."""
    key = (tuple(shape), dtype, device)
    found = getattr(_local, "buffer", None)
    if found is None or found[0] != key:
        found = _local.buffer = (key, torch.empty(shape, dtype=dtype, device=device))
    return found[1]
