"""Serving engine: continuous batching over per-sequence SambaY state."""
