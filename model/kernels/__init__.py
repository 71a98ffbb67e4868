"""Kernels used by the SambaY mixers. Only the pure-PyTorch reference exists so far."""

from model.kernels.reference import (
    causal_conv1d,
    causal_conv1d_step,
    gated_silu,
    selective_scan,
    selective_state_update,
)

__all__ = ["causal_conv1d", "causal_conv1d_step", "gated_silu", "selective_scan", "selective_state_update"]
