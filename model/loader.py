"""Loading an official Phi-4-mini-flash-reasoning checkpoint folder into a SambaY model.

The model is built on the meta device and each tensor is read from the memory-mapped safetensors
files straight into its final dtype and device, so RAM never holds a second full copy. Checkpoint
quirks live here: the "model." name prefix, the tied LM head (no lm_head.weight), the float32 tensors.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open

from model.config import ConfigError, SambaYConfig
from model.packing import PackingError, pack_linears, packs_by_default, stream_linears
from model.sambay import FLOAT32_PARAMETERS, SambaY

CHECKPOINT_PREFIX = "model."
SINGLE_FILE = "model.safetensors"
FLOAT_DTYPES = {"F16", "BF16", "F32", "F64"}
LAYER_NAME = re.compile(r"model\.layers\.(\d+)\.")
INDEX_FILE = "model.safetensors.index.json"


class CheckpointError(ValueError):
    """A checkpoint folder that cannot be loaded as a SambaY model; the message says what to fix."""


def checkpoint_shapes(model: SambaY) -> dict[str, tuple[int, ...]]:
    """The official tensor names and shapes for ``model`` (the tied LM head is not a separate tensor)."""
    return {CHECKPOINT_PREFIX + name: tuple(p.shape) for name, p in model.named_parameters()}


def load_model(
    path: str | Path,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float32,
    quantize: str | None = None,
) -> SambaY:
    """The model in ``path`` (config.json + model.safetensors or an index with shards), in eval mode.

    On a CPU without native bf16 a bf16 or fp16 model runs its linear layers from fbgemm-packed fp16
    weights, which it multiplies several times faster (``model.packing``); with native bf16 the layers
    keep their weights and decode through ``model.kernels.gemv``; ``quantize="int8"`` stores them as
    weight-only int8.
    """
    if quantize is not None and torch.device(device).type != "cpu":
        raise CheckpointError(f"quantize={quantize!r} runs on the CPU only; the model was asked for {device}")
    folder = Path(path)
    if not folder.is_dir():
        raise CheckpointError(f"checkpoint folder {folder} does not exist")
    if not (folder / "config.json").is_file():
        raise CheckpointError(f"{folder} has no config.json, so it is not a model checkpoint folder")
    try:
        config = SambaYConfig.from_folder(folder)
    except ConfigError as error:
        raise CheckpointError(f"{folder} is not a usable SambaY (phi4flash) checkpoint: {error}") from None
    files = _tensor_files(folder)
    names = {name: file for file, file_names in files.items() for name in file_names}
    layers = {match.group(1) for name in names if (match := LAYER_NAME.match(name))}
    if len(layers) != config.num_hidden_layers:  # checked first: a config claiming millions of layers
        raise CheckpointError(  # would take hours to build even on the meta device
            f"{folder}: config.json has {config.num_hidden_layers} layers, the tensors have {len(layers)}"
        )
    with torch.device("meta"):
        model = SambaY(config)
    expected = checkpoint_shapes(model)
    missing = sorted(set(expected) - set(names))
    unexpected = sorted(set(names) - set(expected))
    if missing or unexpected:
        raise CheckpointError(
            f"{folder} does not match the config: "
            + "; ".join(
                part
                for part in (
                    f"missing tensors {_few(missing)}" if missing else "",
                    f"unexpected tensors {_few(unexpected)}" if unexpected else "",
                )
                if part
            )
        )
    model = model.eval().requires_grad_(False)
    low_precision = dtype in (torch.bfloat16, torch.float16) and torch.device(device).type == "cpu"
    pack = quantize is not None or (low_precision and packs_by_default())
    for file, file_names in files.items():
        tensors = {}
        try:
            with safe_open(file, framework="pt", device="cpu") as reader:
                for name in file_names:
                    tensor = reader.get_slice(name)
                    if (dtype_name := tensor.get_dtype()) not in FLOAT_DTYPES:
                        raise CheckpointError(f"tensor {name} in {file.name} holds {dtype_name}, not weights")
                    shape = tuple(tensor.get_shape())
                    if shape != expected[name]:
                        raise CheckpointError(
                            f"tensor {name} in {file.name} has shape {list(shape)}, "
                            f"the config needs {list(expected[name])}"
                        )
                    keep_float32 = name.rsplit(".", 1)[-1] in FLOAT32_PARAMETERS
                    target = torch.float32 if keep_float32 else dtype
                    tensors[name.removeprefix(CHECKPOINT_PREFIX)] = reader.get_tensor(name).to(device, target)
        except (SafetensorError, OSError) as error:
            raise CheckpointError(f"{file} is truncated or corrupt: {error}") from None
        model.load_state_dict(tensors, strict=False, assign=True)  # all names were checked above
        model.requires_grad_(False)
        names = list(tensors)
        del tensors  # the model holds the only references: packing frees what it replaces
        if pack:
            _pack_shard(model, names, quantize)
    if dtype == torch.bfloat16 and not pack:
        stream_linears(model)  # a CPU with native bf16: the weights as loaded, decode rows streamed fast
    return model


def _pack_shard(model: SambaY, names: list[str], quantize: str | None) -> None:
    """Pack the linear layers one shard completed and copy its other tensors out of the file.

    The tensors of a shard share one memory map, and packing reads every page of it: were a single
    small tensor of it to stay mapped, the whole file would stay resident beside its packed copy
    (measured on the 3.8B model: 15 GB instead of 8.7). So each shard is done with before the next.
    """
    try:
        pack_linears(model, quantize)
    except PackingError as error:
        raise CheckpointError(str(error)) from None
    for name in names:
        module_path, _, leaf = name.rpartition(".")
        module = model.get_submodule(module_path)
        tensor = getattr(module, leaf, None)
        if isinstance(tensor, torch.Tensor):  # not packed away
            tensor.data = tensor.data.clone()

    return model


def _tensor_files(folder: Path) -> dict[Path, list[str]]:
    """Each safetensors file of the checkpoint and the tensor names it holds."""
    if (folder / INDEX_FILE).is_file():
        try:
            weight_map = json.loads((folder / INDEX_FILE).read_text(encoding="utf-8"))["weight_map"]
            files: dict[Path, list[str]] = {}
            for name, shard in weight_map.items():
                if Path(shard).name != shard:
                    raise ValueError(f"the shard {shard!r} is not a file name inside the folder")
                files.setdefault(folder / shard, []).append(name)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise CheckpointError(
                f"{folder / INDEX_FILE} is not a valid safetensors index: {error!r}"
            ) from None
        absent = sorted(file.name for file in files if not file.is_file())
        if absent:
            raise CheckpointError(f"{folder} is missing the shards {absent} named in {INDEX_FILE}")
        return files
    single = folder / SINGLE_FILE
    if not single.is_file():
        raise CheckpointError(f"{folder} has neither {SINGLE_FILE} nor {INDEX_FILE}")
    try:
        with safe_open(single, framework="pt", device="cpu") as reader:
            return {single: list(reader.keys())}
    except (SafetensorError, OSError) as error:
        raise CheckpointError(f"{single} is truncated or corrupt: {error}") from None


def _few(names: list[str]) -> str:
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
