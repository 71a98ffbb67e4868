"""Finding a checkpoint folder: a local path, or a Hugging Face Hub repository id in the local cache.

Nothing here downloads unless asked: ``resolve_checkpoint`` reads the cache offline, and only
``pull`` (the ``flashtutor model pull`` command) goes to the network, on the user's request.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from model.loader import INDEX_FILE, SINGLE_FILE, CheckpointError

# "owner/name", as the Hub spells repository ids (letters, digits, '-', '_', '.').
REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
OFFICIAL_REPO = "microsoft/Phi-4-mini-flash-reasoning"


def is_repo_id(value: str | Path) -> bool:
    """True for text shaped like a Hub repository id that is not an existing local path."""
    text = str(value)
    return bool(REPO_ID.match(text)) and not Path(text).exists()


def resolve_checkpoint(
    value: str | Path, *, cache_dir: str | Path | None = None, revision: str | None = None
) -> Path:
    """The checkpoint folder for a local path or a Hub repository id already in the local cache."""
    if not is_repo_id(value):
        folder = Path(value).expanduser()
        if not folder.is_dir():
            raise CheckpointError(f"checkpoint folder {folder} does not exist")
        return folder
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        folder = snapshot_download(
            str(value), revision=revision, cache_dir=cache_dir, local_files_only=True
        )
    except LocalEntryNotFoundError:
        raise CheckpointError(
            f"{value} is not in the local Hugging Face cache; download it once with "
            f"`flashtutor model pull {value}` (nothing is downloaded at run time)"
        ) from None
    return Path(folder)


def pull(repo_id: str, *, cache_dir: str | Path | None = None, revision: str | None = None) -> Path:
    """Download (or resume) a repository into the Hugging Face cache and check its files; -> its folder."""
    if not REPO_ID.match(repo_id):
        raise CheckpointError(f"{repo_id!r} is not a Hub repository id such as {OFFICIAL_REPO}")
    from huggingface_hub import snapshot_download

    folder = Path(snapshot_download(repo_id, revision=revision, cache_dir=cache_dir))
    check_files(folder)
    return folder


def check_files(folder: Path) -> None:
    """Every shard the index names is there and holds the tensors the index puts in it."""
    from safetensors import SafetensorError, safe_open

    if not (folder / "config.json").is_file():
        raise CheckpointError(f"{folder} has no config.json")
    if (folder / INDEX_FILE).is_file():
        try:
            weight_map: dict[str, str] = json.loads((folder / INDEX_FILE).read_text())["weight_map"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CheckpointError(f"{folder / INDEX_FILE} is not a readable index: {error}") from None
    elif (folder / SINGLE_FILE).is_file():
        weight_map = {}
    else:
        raise CheckpointError(f"{folder} has neither {SINGLE_FILE} nor {INDEX_FILE}")
    expected: dict[str, set[str]] = {}
    for name, shard in weight_map.items():
        expected.setdefault(shard, set()).add(name)
    for shard, names in expected.items():
        path = folder / shard
        if not path.is_file():
            raise CheckpointError(f"shard {shard} named in the index is missing; run the pull again")
        try:
            with safe_open(path, framework="pt") as reader:
                missing = names - set(reader.keys())
        except (SafetensorError, OSError) as error:
            raise CheckpointError(f"shard {shard} is truncated or corrupt ({error}); pull again") from None
        if missing:
            raise CheckpointError(f"shard {shard} lacks {len(missing)} tensors the index puts there")
