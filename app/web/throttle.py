"""How often a key may act: model requests per user, and failed sign-ins per address and per account.

Keys come from outside (a username can be a megabyte long), so the store keeps a 16-byte digest of each
key, forgets keys that have been quiet for a whole window, and holds at most ``max_keys`` of them,
dropping the least recently used first: its memory is bounded whatever clients send.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable

# About 900 bytes a key, so under 10 MB a store: more users or addresses than one school's server sees
# failing in a window; past it the least recently active keys are dropped first.
MAX_KEYS = 10_000


class RateLimited(Exception):
    """Too many requests; ``retry_after`` says how many seconds to wait."""

    def __init__(self, what: str, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many {what}; please wait {retry_after:.0f} s and try again")


class RecentEvents:
    """Per key, the times of its last ``max_events`` events within ``window_s`` seconds (not thread-safe)."""

    def __init__(self, window_s: float, max_events: int, max_keys: int = MAX_KEYS) -> None:
        self.window_s = window_s
        self.max_events = max_events
        self.max_keys = max_keys
        self._times: OrderedDict[bytes, deque[float]] = OrderedDict()  # least recently used first

    def __len__(self) -> int:
        return len(self._times)

    def recent(self, key: Hashable, now: float) -> deque[float]:
        """The key's event times inside the window, oldest first (empty for an unknown key)."""
        times = self._times.get(_digest(key), deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def add(self, key: Hashable, now: float) -> None:
        digest = _digest(key)
        times = self._times.setdefault(digest, deque(maxlen=self.max_events))
        times.append(now)
        self._times.move_to_end(digest)
        self._forget_quiet(now)

    def forget(self, key: Hashable) -> None:
        self._times.pop(_digest(key), None)

    def _forget_quiet(self, now: float) -> None:
        while self._times:
            oldest = next(iter(self._times.values()))
            if len(self._times) <= self.max_keys and oldest and oldest[-1] > now - self.window_s:
                return
            self._times.popitem(last=False)


def _digest(key: Hashable) -> bytes:
    return hashlib.blake2b(repr(key).encode("utf-8", "backslashreplace"), digest_size=16).digest()


class RateLimiter:
    """A sliding one-minute window of events per key (model requests per user id)."""

    def __init__(self, per_minute: int, what: str, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError(f"a rate limit must allow at least 1 request a minute, got {per_minute}")
        self.per_minute = per_minute
        self.what = what
        self._clock = clock
        self._events = RecentEvents(60.0, max_events=per_minute)
        self._lock = threading.Lock()

    def check(self, key: Hashable) -> None:
        """Raise ``RateLimited`` when ``key`` has used up this minute's budget (counts nothing)."""
        with self._lock:
            self._check(key, self._clock())

    def record(self, key: Hashable) -> None:
        """Count one event for ``key``."""
        with self._lock:
            self._events.add(key, self._clock())

    def take(self, key: Hashable) -> None:
        """Check and count in one step: the event is counted only if it is allowed."""
        now = self._clock()
        with self._lock:
            self._check(key, now)
            self._events.add(key, now)

    def _check(self, key: Hashable, now: float) -> None:
        recent = self._events.recent(key, now)
        if len(recent) >= self.per_minute:
            raise RateLimited(self.what, retry_after=max(1.0, recent[0] + 60.0 - now))


class LoginThrottle:
    """Failed sign-ins make the next try wait, per address and per account, doubling up to a cap.

    Nobody is locked out: after ``free_per_account`` failures on an account each further try waits
    1 s, 2 s, 4 s ... at most ``max_wait_s``, so a student guessing at their teacher's password costs
    the teacher seconds, while a guesser gets a few tries a minute. The per-address budget
    (all usernames) stops one client from trying many accounts. A try refused for waiting checks no
    password and counts nothing; a success clears the account's failures.
    """

    def __init__(
        self,
        *,
        free_per_account: int = 5,
        free_per_address: int = 20,
        window_s: float = 15 * 60,
        max_wait_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free = {"account": free_per_account, "address": free_per_address}
        self.max_wait_s = max_wait_s
        self._clock = clock
        # Enough events per key to reach the cap; older ones would not change the wait.
        self._failures = {
            kind: RecentEvents(window_s, max_events=free + int(max_wait_s).bit_length() + 1)
            for kind, free in self.free.items()
        }
        self._lock = threading.Lock()

    def check(self, *, address: str, username: str) -> None:
        """Raise ``RateLimited`` when this address or account must wait before its next try."""
        now = self._clock()
        with self._lock:
            wait = max(self._wait("address", address, now), self._wait("account", _account(username), now))
        if wait > 0:
            raise RateLimited("failed sign-ins", retry_after=max(1.0, wait))

    def failed(self, *, address: str, username: str) -> None:
        now = self._clock()
        with self._lock:
            self._failures["address"].add(address, now)
            self._failures["account"].add(_account(username), now)

    def succeeded(self, *, username: str) -> None:
        with self._lock:
            self._failures["account"].forget(_account(username))

    def _wait(self, kind: str, key: str, now: float) -> float:
        failures = self._failures[kind].recent(key, now)
        over = len(failures) - self.free[kind]
        if over < 0:
            return 0.0
        return failures[-1] + min(self.max_wait_s, 2.0**over) - now


def _account(username: str) -> str:
    return username.strip().lower()
