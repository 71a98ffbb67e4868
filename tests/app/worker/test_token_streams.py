"""Token streams and shared flags, on the real Redis and on the in-memory twin alike."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from app.worker.flags import MemoryFlags, RedisFlags, hold_lease
from app.worker.streams import MemoryStreams, RedisStreams, StreamEvent, StreamTimeout


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def transport(request):
    if request.param == "memory":
        return MemoryStreams(), MemoryFlags()
    url, prefix = request.getfixturevalue("redis_url"), f"test-{uuid.uuid4().hex}"
    return RedisStreams(url, prefix, ttl_s=60), RedisFlags(url, prefix)


def texts(events: list[StreamEvent]) -> list[str]:
    return [e.text for e in events if not e.is_end]


def test_a_reader_gets_every_chunk_in_order_then_the_end(transport):
    streams, _ = transport
    chunks = [f"tok{i} " for i in range(300)]

    def write() -> None:
        for chunk in chunks:
            streams.append("r1", StreamEvent(text=chunk))
            time.sleep(0.0005)
        streams.append("r1", StreamEvent(status="length"))

    writer = threading.Thread(target=write)
    writer.start()
    events = list(streams.read("r1", timeout_s=5))
    writer.join()
    assert texts(events) == chunks
    assert events[-1].status == "length" and sum(e.is_end for e in events) == 1


def test_a_late_reader_replays_what_it_missed(transport):
    streams, _ = transport
    for chunk in ["The ", "answer ", "is ", "4."]:
        streams.append("r2", StreamEvent(text=chunk))
    streams.append("r2", StreamEvent(status="done"))
    first = list(streams.read("r2", timeout_s=1))
    again = list(streams.read("r2", timeout_s=1))
    assert "".join(texts(first)) == "".join(texts(again)) == "The answer is 4."


def test_errors_reach_the_reader_and_silence_times_out(transport):
    streams, _ = transport
    streams.append("r3", StreamEvent(status="error", error="the model is not loaded"))
    (event,) = streams.read("r3", timeout_s=1)
    assert event.status == "error" and event.error == "the model is not loaded"
    with pytest.raises(StreamTimeout, match="no output for request never-started"):
        list(streams.read("never-started", timeout_s=0.2))


def test_flags_expire_and_claims_are_exclusive(transport):
    _, flags = transport
    assert flags.get("cancel:x") is None
    flags.put("cancel:x", "1", ttl_s=0.3)
    assert flags.get_many(["cancel:x", "cancel:y"]) == ["1", None]
    assert flags.put("job:1", "worker-a", 5, only_if_absent=True)
    assert not flags.put("job:1", "worker-b", 5, only_if_absent=True)
    flags.release("job:1", "worker-b")  # not the owner: no effect
    assert flags.get("job:1") == "worker-a"
    assert not flags.renew("job:1", "worker-b", 5)
    assert flags.renew("job:1", "worker-a", 5)
    flags.release("job:1", "worker-a")
    assert flags.get("job:1") is None
    flags.put("worker:gpu0", "{}", 5)
    assert flags.with_prefix("worker:") == {"worker:gpu0": "{}"}
    time.sleep(0.4)
    assert flags.get("cancel:x") is None


def test_a_lease_is_held_while_renewed_and_runs_out_after(transport):
    _, flags = transport
    with hold_lease(flags, "job:7", "a", ttl_s=1.2) as ours:
        assert ours
        time.sleep(1.5)  # longer than the TTL: only renewal keeps it
        with hold_lease(flags, "job:7", "b", ttl_s=1.2) as theirs:
            assert not theirs
    assert flags.get("job:7") is None
    flags.put("job:8", "crashed-worker", 0.3)  # a lease nobody renews any more
    time.sleep(0.4)
    with hold_lease(flags, "job:8", "b", ttl_s=1) as ours:
        assert ours
