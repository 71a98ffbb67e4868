"""What one worker process holds: its transport, its database and, when a checkpoint is set, its engine host.

Celery tasks and the embedded worker both run against the current runtime, so they run the same code.
``app.assembly`` builds it (``open_runtime``); this module only holds it.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.contract import NO_MODEL, Generation, GenerationRequest, ModelUnavailable
from app.db import Database
from app.worker.flags import Flags
from app.worker.streams import StreamEvent, TokenStreams

if TYPE_CHECKING:  # only a process that serves a checkpoint loads the host (and torch)
    from app.worker.host import EngineHost


@dataclass
class WorkerRuntime:
    streams: TokenStreams
    flags: Flags
    database: Database
    results_dir: Path
    host: EngineHost | None = None
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}")

    def generate(self, request: GenerationRequest) -> Generation:
        if self.host is None:
            self.streams.append(request.request_id, StreamEvent(status="error", error=NO_MODEL))
            raise ModelUnavailable(NO_MODEL)
        return self.host.generate(request)

    def close(self) -> None:
        if self.host is not None:
            self.host.close()


_current: WorkerRuntime | None = None


def set_runtime(runtime: WorkerRuntime | None) -> None:
    global _current
    _current = runtime


def current_runtime() -> WorkerRuntime:
    if _current is None:
        raise RuntimeError("this process is not a FlashTutor worker: start it with `flashtutor worker`")
    return _current
