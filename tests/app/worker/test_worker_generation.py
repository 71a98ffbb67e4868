"""Generation through the worker: the same behaviour from the embedded worker and a Celery worker.

The tiny fixture model writes random tokens, which is all these mechanics need: streaming order and
completeness, late-reader replay, cancel, time limits, 32 concurrent requests sharing decode steps,
and interactive requests overtaking batch work.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import torch

from app.assembly import celery_client, embedded_client
from app.contract import GenerationFailed, GenerationRequest, ModelUnavailable, Overloaded
from app.worker.flags import MemoryFlags, cancel_flag
from app.worker.host import EngineHost
from app.worker.streams import MemoryStreams, StreamEvent
from model.engine.engine import Engine, EngineConfig
from model.engine.sequence import SamplingParams
from model.loader import load_model
from model.tokenizer import StreamDecoder, load_tokenizer

EOS = 511  # the tiny model's end token


@pytest.fixture(scope="module")
def reference(tiny_model_path):
    """Greedy text for a prompt, from an engine in this process: what the worker must stream."""
    model = load_model(tiny_model_path, device="cpu", dtype=torch.float32)
    tokenizer = load_tokenizer(tiny_model_path)
    engine = Engine(model, EngineConfig(num_slots=2, max_seq_len=512), tokenizer)

    def text(prompt: list[int], max_tokens: int) -> str:
        params = SamplingParams(max_tokens=max_tokens, temperature=0.0, stop_token_ids=(EOS,))
        (completion,) = engine.generate([prompt], params)
        decoder = StreamDecoder(tokenizer)
        return "".join(decoder.push(t) for t in completion.token_ids if t != EOS) + decoder.flush()

    return text


def raw(prompt: list[int], max_tokens: int, **options) -> GenerationRequest:
    return GenerationRequest(prompt_token_ids=prompt, max_tokens=max_tokens, temperature=0.0, **options)


def events(client, request_id: str) -> list[StreamEvent]:
    return list(client.events(request_id))


def test_the_stream_is_the_whole_reply_in_order(client, reference):
    prompt = [5, 17, 99, 240, 3]
    request_id = client.submit(raw(prompt, 40))
    received = events(client, request_id)
    assert received[-1].status in ("done", "length")
    assert "".join(e.text for e in received[:-1]) == reference(prompt, 40)


def test_a_late_reader_replays_the_whole_reply(client):
    request_id = client.submit(raw([7, 8, 9], 30))
    live = "".join(client.text(request_id))
    time.sleep(0.2)
    assert "".join(client.text(request_id)) == live and live


def test_cancel_stops_the_reply_within_a_step(client):
    request_id = client.submit(raw([1, 2, 3, 4], 3000, time_limit_s=60))
    stream = client.events(request_id)
    next(stream)  # the reply has started
    client.cancel(request_id)
    rest = list(stream)
    assert rest[-1].status == "cancelled"
    assert len(rest) < 1500  # stopped long before max_tokens


def test_a_time_limit_ends_the_reply_with_timeout(client):
    request_id = client.submit(raw([4, 4, 4], 3000, time_limit_s=0.5))
    assert events(client, request_id)[-1].status == "timeout"


def test_thirty_two_simultaneous_requests_complete_and_share_decode_steps(client, wait_for):
    requests = [GenerationRequest(prompt_token_ids=[i + 1, 42], max_tokens=24, seed=i) for i in range(32)]
    ids = [client.submit(r) for r in requests]
    finished: dict[str, str] = {}

    def read(request_id: str) -> None:
        finished[request_id] = events(client, request_id)[-1].status

    readers = [threading.Thread(target=read, args=(i,)) for i in ids]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=120)
    assert len(finished) == 32 and set(finished.values()) <= {"done", "length"}
    wait_for(lambda: max(w.peak_running for w in client.workers()) > 1, 5, "a heartbeat after the burst")
    assert max(w.peak_running for w in client.workers()) >= 8  # one engine decoding many at once


def test_interactive_requests_overtake_batch_work(client):
    batch = [client.submit(raw([9, i + 1], 150, priority="batch")) for i in range(24)]
    time.sleep(0.3)  # the batch wave is decoding
    interactive = client.submit(raw([3, 1, 4], 8))
    done_at: dict[str, float] = {}

    def read(request_id: str) -> None:
        events(client, request_id)
        done_at[request_id] = time.monotonic()

    readers = [threading.Thread(target=read, args=(i,)) for i in [*batch, interactive]]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=120)
    assert done_at[interactive] < min(done_at[b] for b in batch)


def test_a_prompt_the_model_cannot_read_fails_with_a_clear_error(client):
    request_id = client.submit(GenerationRequest(messages=[{"role": "user", "content": "What is 2+2?"}]))
    with pytest.raises(GenerationFailed, match="outside the model's vocabulary"):
        events(client, request_id)


def test_no_worker_means_a_clear_model_unavailable_error(tmp_path, worker_settings):
    client = embedded_client(worker_settings(tmp_path, None), threads=1)
    try:
        with pytest.raises(ModelUnavailable, match="FLASHTUTOR_MODEL_PATH"):
            client.submit(raw([1, 2], 4))
    finally:
        client.close()


@pytest.mark.redis
def test_no_celery_worker_means_a_clear_model_unavailable_error(redis_url):
    client = celery_client(redis_url, f"test-{uuid.uuid4().hex}")
    with pytest.raises(ModelUnavailable, match="flashtutor worker --model PATH"):
        client.submit(raw([1, 2], 4))


def test_a_full_worker_refuses_more_interactive_work_with_a_clear_message(tiny_model_path, wait_for):
    streams, flags = MemoryStreams(), MemoryFlags()
    config = EngineConfig(num_slots=2, max_seq_len=4096)
    host = EngineHost.from_checkpoint(tiny_model_path, streams, flags, config=config, max_waiting=0)
    try:
        busy = [raw([1, 2], 3000, time_limit_s=30) for _ in range(2)]
        threads = [threading.Thread(target=host.generate, args=(r,)) for r in busy]
        for thread in threads:
            thread.start()
        wait_for(lambda: host.status().in_flight["interactive"] == 2, 10, "both slots to be busy")
        refused = raw([3], 4)
        with pytest.raises(Overloaded, match="busy right now; please try again"):
            host.generate(refused)
        assert list(streams.read(refused.request_id, timeout_s=1))[-1].status == "error"
        for request in busy:
            flags.put(cancel_flag(request.request_id), "1", 60)
        for thread in threads:
            thread.join(timeout=10)
    finally:
        host.close()
