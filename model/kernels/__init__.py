"""Kernels used by the SambaY mixers: the readable reference (``reference``) and, where the reference is
slow on long sequences, a faster exact version (``fast``) that the model uses."""

from model.kernels.fast import (
    attention,
    conv1d_silu,
    conv_step_silu,
    gated_silu,
    paired_attention,
    paired_heads,
    selective_scan,
    state_update,
)
from model.kernels.reference import causal_conv1d, causal_conv1d_step, selective_state_update

__all__ = [
    "attention",
    "causal_conv1d",
    "causal_conv1d_step",
    "conv1d_silu",
    "conv_step_silu",
    "gated_silu",
    "paired_attention",
    "paired_heads",
    "selective_scan",
    "selective_state_update",
    "state_update",
]
