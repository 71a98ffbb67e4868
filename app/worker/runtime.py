"""What one worker process holds: its transport, its database and, when a checkpoint is set, its engine host.

Celery tasks and the embedded worker both run against the current runtime, so they run the same code.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.db import Database
from app.settings import Settings
from app.worker.flags import Flags
from app.worker.requests import Generation, GenerationRequest, ModelUnavailable
from app.worker.streams import StreamEvent, TokenStreams

if TYPE_CHECKING:  # the web side imports this module too, and must not need torch
    from app.worker.host import EngineHost

NO_MODEL = (
    "the model-backed tutor is not enabled: set FLASHTUTOR_MODEL_PATH to the Phi-4-mini-flash-reasoning "
    "checkpoint folder (and, with a broker, start `flashtutor worker --model PATH`)"
)


@dataclass
class WorkerRuntime:
    streams: TokenStreams
    flags: Flags
    database: Database
    results_dir: Path
    host: EngineHost | None = None
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}")

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        streams: TokenStreams,
        flags: Flags,
        *,
        model_path: Path | None = None,
        slots: int = 16,
    ) -> WorkerRuntime:
        """A runtime for this process; loads the checkpoint once when one is configured."""
        from app.worker.host import EngineHost
        from model.engine.engine import EngineConfig

        database = Database(settings.resolved_database_url)
        model_path = model_path or settings.model_path
        host = None
        if model_path is not None:
            host = EngineHost.from_checkpoint(
                model_path,
                streams,
                flags,
                device=settings.device,
                dtype=settings.dtype,
                quantize=settings.quantize,
                config=EngineConfig(num_slots=slots),
            )
        return cls(streams, flags, database, settings.results_dir, host)

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
