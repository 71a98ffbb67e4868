"""Small shared values with an expiry: cancel flags, job leases and worker heartbeats.

Redis holds them when workers run in other processes or machines; the in-memory twin holds them
for the embedded worker. Both expire values themselves, so a crashed worker's lease or heartbeat
simply runs out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import redis

# Release a lease only if we still own it (another worker may have claimed it after it expired).
_RELEASE_IF_OWNER = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)
_RENEW_IF_OWNER = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)


def cancel_flag(request_id: str) -> str:
    return f"cancel:{request_id}"


class _Leases:
    def lease(self, name: str, owner: str, ttl_s: float = 30.0) -> AbstractContextManager[bool]:
        """``hold_lease`` on these flags (what ``app.contract.SharedFlags`` promises the services)."""
        return hold_lease(self, name, owner, ttl_s)


class RedisFlags(_Leases):
    def __init__(self, url: str, prefix: str = "flashtutor") -> None:
        self.redis = redis.Redis.from_url(url, decode_responses=True)
        self.prefix = prefix

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    def put(self, name: str, value: str, ttl_s: float, *, only_if_absent: bool = False) -> bool:
        """Store ``value``; with ``only_if_absent`` this is an atomic claim and says whether it won."""
        return bool(self.redis.set(self._key(name), value, px=int(ttl_s * 1000), nx=only_if_absent))

    def get(self, name: str) -> str | None:
        return self.redis.get(self._key(name))

    def get_many(self, names: list[str]) -> list[str | None]:
        return self.redis.mget([self._key(n) for n in names]) if names else []

    def renew(self, name: str, owner: str, ttl_s: float) -> bool:
        return bool(self.redis.eval(_RENEW_IF_OWNER, 1, self._key(name), owner, int(ttl_s * 1000)))

    def release(self, name: str, owner: str) -> None:
        self.redis.eval(_RELEASE_IF_OWNER, 1, self._key(name), owner)

    def with_prefix(self, prefix: str) -> dict[str, str]:
        """Every live value whose name starts with ``prefix`` (a handful: one per worker)."""
        keys = list(self.redis.scan_iter(match=self._key(prefix) + "*", count=500))
        values = self.redis.mget(keys) if keys else []
        start = len(self.prefix) + 1
        return {k[start:]: v for k, v in zip(keys, values, strict=True) if v is not None}


class MemoryFlags(_Leases):
    """The same interface inside one process."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def _live(self, name: str) -> str | None:
        entry = self._values.get(name)
        if entry is None or entry[1] < time.monotonic():
            self._values.pop(name, None)
            return None
        return entry[0]

    def put(self, name: str, value: str, ttl_s: float, *, only_if_absent: bool = False) -> bool:
        with self._lock:
            if only_if_absent and self._live(name) is not None:
                return False
            self._values[name] = (value, time.monotonic() + ttl_s)
            return True

    def get(self, name: str) -> str | None:
        with self._lock:
            return self._live(name)

    def get_many(self, names: list[str]) -> list[str | None]:
        with self._lock:
            return [self._live(n) for n in names]

    def renew(self, name: str, owner: str, ttl_s: float) -> bool:
        with self._lock:
            if self._live(name) != owner:
                return False
            self._values[name] = (owner, time.monotonic() + ttl_s)
            return True

    def release(self, name: str, owner: str) -> None:
        with self._lock:
            if self._live(name) == owner:
                del self._values[name]

    def with_prefix(self, prefix: str) -> dict[str, str]:
        with self._lock:
            names = [n for n in self._values if n.startswith(prefix)]
            return {n: v for n in names if (v := self._live(n)) is not None}


Flags = RedisFlags | MemoryFlags


@contextmanager
def hold_lease(flags: Flags, name: str, owner: str, ttl_s: float = 30.0) -> Iterator[bool]:
    """Claim ``name`` for ``owner`` and keep renewing it until the block ends; yields whether we got it.

    A worker killed mid-job stops renewing, so its lease runs out and a restarted worker takes over.
    """
    if not flags.put(name, owner, ttl_s, only_if_absent=True):
        yield False
        return
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(ttl_s / 3):
            flags.renew(name, owner, ttl_s)

    renewer = threading.Thread(target=renew, name=f"lease-{name}", daemon=True)
    renewer.start()
    try:
        yield True
    finally:
        stop.set()
        renewer.join()
        flags.release(name, owner)
