"""A worker client whose "model" writes scripted replies: the real client and in-memory transport.

The tiny fixture model cannot read chat prompts (its vocabulary is 512 tokens), so this is how tests
give the model-backed features a reply to check: token by token, as a real worker streams it.
"""

from __future__ import annotations

from collections.abc import Callable

from app.contract import WorkerHeartbeat
from app.worker.client import WorkerClient
from app.worker.flags import MemoryFlags
from app.worker.streams import MemoryStreams, StreamEvent

Script = list[str] | Callable[[dict], list[str]]  # the reply's chunks, or chunks for each request


def scripted_client(chunks: Script, *, finish: bool = True, heartbeat_s: float = 3600) -> WorkerClient:
    """A client served by one "worker" that answers every request with ``chunks`` (or ``chunks(request)``,
    the request as a dict); ``finish``: the reply ends (else it stops mid-way, as a stuck worker)."""
    streams, flags = MemoryStreams(), MemoryFlags()
    flags.put("worker:scripted", WorkerHeartbeat("scripted", 0, 0, 1, 0.0, 0, 0).to_json(), heartbeat_s)

    def dispatch(task: str, kwargs: dict, queue: str) -> None:
        request = kwargs["request"]
        for chunk in chunks(request) if callable(chunks) else chunks:
            streams.append(request["request_id"], StreamEvent(text=chunk))
        if finish:
            streams.append(request["request_id"], StreamEvent(status="done"))

    return WorkerClient(dispatch, streams, flags, read_timeout_s=5)
