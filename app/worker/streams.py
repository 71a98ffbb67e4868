"""Token streams from the worker to the web side: Redis Streams, and an in-memory twin.

A generation appends text chunks to its stream and ends it with one final event. Readers always
read from the start, so a reader that connects late replays everything it missed. Streams expire
``ttl_s`` seconds after their last write, so abandoned requests do not pile up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import redis

from app.contract import StreamTimeout

STREAM_TTL_S = 3600

@dataclass(frozen=True)
class StreamEvent:
    """A text chunk (``status is None``) or the end of the stream with its status and error."""

    text: str = ""
    status: str | None = None  # "done", "length", "cancelled", "timeout" or "error" on the last event
    error: str | None = None

    @property
    def is_end(self) -> bool:
        return self.status is not None

    def to_fields(self) -> dict[str, str]:
        if self.status is None:
            return {"text": self.text}
        return {"status": self.status, "error": self.error or ""}

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> StreamEvent:
        if "status" in fields:
            return cls(status=fields["status"], error=fields.get("error") or None)
        return cls(text=fields["text"])


class RedisStreams:
    """One Redis stream per request under ``{prefix}:tokens:{request_id}``."""

    def __init__(self, url: str, prefix: str = "flashtutor", ttl_s: int = STREAM_TTL_S) -> None:
        self.redis = redis.Redis.from_url(url, decode_responses=True)
        self.prefix = prefix
        self.ttl_s = ttl_s

    def _key(self, request_id: str) -> str:
        return f"{self.prefix}:tokens:{request_id}"

    def append(self, request_id: str, event: StreamEvent) -> None:
        key = self._key(request_id)
        with self.redis.pipeline() as pipe:
            pipe.xadd(key, event.to_fields())
            pipe.expire(key, self.ttl_s)
            pipe.execute()

    def read(self, request_id: str, timeout_s: float = 60.0) -> Iterator[StreamEvent]:
        """Every event from the first one, blocking for new ones, until the end event."""
        key, last_id = self._key(request_id), "0"
        while True:
            reply = self.redis.xread({key: last_id}, count=256, block=max(1, int(timeout_s * 1000)))
            if not reply:
                raise StreamTimeout(f"no output for request {request_id} within {timeout_s:g} s")
            for entry_id, fields in reply[0][1]:
                last_id = entry_id
                event = StreamEvent.from_fields(fields)
                yield event
                if event.is_end:
                    return


class MemoryStreams:
    """The same interface inside one process, for the embedded worker."""

    def __init__(self, ttl_s: int = STREAM_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._events: dict[str, list[StreamEvent]] = {}
        self._touched: dict[str, float] = {}
        self._changed = threading.Condition()

    def append(self, request_id: str, event: StreamEvent) -> None:
        with self._changed:
            self._drop_expired()
            self._events.setdefault(request_id, []).append(event)
            self._touched[request_id] = time.monotonic()
            self._changed.notify_all()

    def read(self, request_id: str, timeout_s: float = 60.0) -> Iterator[StreamEvent]:
        seen = 0
        while True:
            new = self._wait_for_new(request_id, seen, timeout_s)
            seen += len(new)
            for event in new:
                yield event
                if event.is_end:
                    return

    def _wait_for_new(self, request_id: str, seen: int, timeout_s: float) -> list[StreamEvent]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._events.get(request_id, ())) > seen, timeout_s):
                raise StreamTimeout(f"no output for request {request_id} within {timeout_s:g} s")
            return self._events[request_id][seen:]

    def _drop_expired(self) -> None:
        now = time.monotonic()
        for request_id in [r for r, t in self._touched.items() if now - t > self.ttl_s]:
            del self._events[request_id], self._touched[request_id]


TokenStreams = RedisStreams | MemoryStreams
