"""The SambaY building blocks: Mamba, differential attention, gated memory unit, SwiGLU MLP."""

from model.modules.attention import DiffAttention
from model.modules.gmu import GatedMemoryUnit
from model.modules.mamba import Mamba
from model.modules.mlp import SwiGLU

__all__ = ["DiffAttention", "GatedMemoryUnit", "Mamba", "SwiGLU"]
