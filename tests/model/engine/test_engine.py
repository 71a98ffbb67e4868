"""The engine on the tiny SambaY fixture: batched output equals single-sequence generation."""

from __future__ import annotations

import threading

import pytest
import torch

from model.engine.engine import Engine, EngineConfig, EngineError
from model.engine.scheduler import RequestTooLarge
from model.engine.sequence import FinishReason, InvalidRequest, SamplingParams
from model.loader import load_model

# (prompt length, max new tokens, step at which it arrives); the fixture's window is 8
WORKLOAD = [(3, 12, 0), (11, 5, 0), (8, 9, 2), (1, 14, 3), (20, 7, 5), (6, 3, 9)]


@pytest.fixture(scope="module")
def model(tiny_model_path):
    torch.manual_seed(0)
    return load_model(tiny_model_path, device="cpu", dtype=torch.float32)


def prompt(length: int, salt: int) -> list[int]:
    return [(37 * i + 11 * salt + 5) % 500 for i in range(length)]


def reference(model, ids: list[int], params: SamplingParams) -> list[int]:
    return list(
        model.generate_stream(
            ids,
            max_new_tokens=params.max_tokens,
            temperature=params.temperature,
            top_p=params.top_p,
            top_k=params.top_k,
            seed=params.seed,
            stop_token_ids=params.stop_token_ids,
        )
    )


def run_staggered(
    engine: Engine, requests: list[tuple[list[int], SamplingParams, int]]
) -> tuple[list[list[int]], int]:
    """Submit each request at its arrival step while driving the engine by hand.
    -> (each request's completion, the most requests that ran at once)."""
    handles: list = [None] * len(requests)
    peak_running = 0
    for step in range(1000):
        for i, (ids, params, arrival) in enumerate(requests):
            if arrival == step:
                handles[i] = engine.submit(ids, params)
        engine.step()
        peak_running = max(peak_running, engine.metrics().running)
        if all(h is not None and h.done for h in handles):
            return [h.result().token_ids for h in handles], peak_running
    raise AssertionError("engine did not finish the workload")


def test_greedy_batched_output_equals_single_sequence_generate(model) -> None:
    requests = [(prompt(n, i), SamplingParams(max_tokens=m), t) for i, (n, m, t) in enumerate(WORKLOAD)]
    engine = Engine(model, EngineConfig(max_seq_len=64, num_slots=4))
    outputs, peak_running = run_staggered(engine, requests)
    assert peak_running == 4  # every slot was busy at some step: it really batched
    for (ids, params, _), output in zip(requests, outputs, strict=True):
        assert output == reference(model, ids, params)


def test_preempted_requests_resume_to_the_same_output(model) -> None:
    requests = [(prompt(n, i), SamplingParams(max_tokens=m), t) for i, (n, m, t) in enumerate(WORKLOAD)]
    engine = Engine(model, EngineConfig(max_seq_len=32, num_slots=4, kv_token_budget=40))
    outputs, _ = run_staggered(engine, requests)
    assert engine.scheduler.kv_tokens_in_use == 0
    for (ids, params, _), output in zip(requests, outputs, strict=True):
        assert output == reference(model, ids, params)


def test_preemption_happens_under_a_tight_budget(model) -> None:
    engine = Engine(model, EngineConfig(max_seq_len=32, num_slots=3, kv_token_budget=36))
    handles = [engine.submit(prompt(8, i), SamplingParams(max_tokens=20)) for i in range(3)]
    while not all(h.done for h in handles):
        engine.step()
    assert sum(h.seq.num_preemptions for h in handles) > 0
    for i, h in enumerate(handles):
        assert h.result().token_ids == reference(model, prompt(8, i), SamplingParams(max_tokens=20))


def test_seeded_sampling_is_reproducible_whatever_else_is_in_the_batch(model) -> None:
    params = SamplingParams(max_tokens=12, temperature=0.9, top_p=0.9, top_k=50, seed=1234)
    alone = run_staggered(Engine(model, EngineConfig(max_seq_len=64)), [(prompt(9, 0), params, 0)])[0][0]
    others = [
        (prompt(4 + i, i + 1), SamplingParams(max_tokens=6 + i, temperature=1.0, seed=i), i) for i in range(4)
    ]
    crowded, peak_running = run_staggered(
        Engine(model, EngineConfig(max_seq_len=64)), [*others, (prompt(9, 0), params, 2)]
    )
    assert peak_running == 5 and crowded[-1] == alone
    assert alone != reference(model, prompt(9, 0), SamplingParams(max_tokens=12))  # it did sample


def test_many_threads_submit_and_stream_concurrently(model) -> None:
    results: dict[int, tuple[list[int], list[int]]] = {}
    with Engine(model, EngineConfig(max_seq_len=64, num_slots=4)) as engine:

        def client(i: int) -> None:
            handle = engine.submit(prompt(2 + i, i), SamplingParams(max_tokens=4 + i))
            streamed = list(handle)
            results[i] = (streamed, handle.result(timeout=60).token_ids)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        metrics = engine.metrics()
    assert sorted(results) == list(range(8))
    for i, (streamed, final) in results.items():
        assert streamed == final == reference(model, prompt(2 + i, i), SamplingParams(max_tokens=4 + i))
    assert metrics.tokens_generated == sum(4 + i for i in range(8))
    assert metrics.running == metrics.waiting == metrics.slots_in_use == metrics.memory_bytes_in_use == 0
    assert metrics.memory_bytes_allocated > 0


def test_cancel_frees_the_slot_and_ends_the_stream(model) -> None:
    with Engine(model, EngineConfig(max_seq_len=512, num_slots=1)) as engine:
        long = engine.submit(prompt(5, 0), SamplingParams(max_tokens=400))
        queued = engine.submit(prompt(5, 1), SamplingParams(max_tokens=3))
        stream = iter(long)
        first = [next(stream) for _ in range(3)]
        long.cancel()
        rest = list(stream)
        assert long.result(timeout=30).finish_reason is FinishReason.CANCELLED
        assert len(first + rest) < 400
        assert queued.result(timeout=30).finish_reason is FinishReason.LENGTH


def test_request_bigger_than_memory_is_refused_at_submit(model) -> None:
    engine = Engine(model, EngineConfig(max_seq_len=16, num_slots=2))
    with pytest.raises(RequestTooLarge, match="at most 16"):
        engine.submit(prompt(10, 0), SamplingParams(max_tokens=10))
    assert engine.scheduler.is_idle


def test_stop_token_and_metrics_during_a_run(model) -> None:
    ids = prompt(6, 3)
    expected = reference(model, ids, SamplingParams(max_tokens=10))
    engine = Engine(model, EngineConfig(max_seq_len=64))
    handle = engine.submit(ids, SamplingParams(max_tokens=10, stop_token_ids=(expected[4],)))
    engine.step()
    metrics = engine.metrics()
    assert metrics.running == 1 and metrics.slots_in_use == 1
    assert metrics.memory_bytes_in_use == engine.pool.bytes_in_use(1, len(ids))
    while not handle.done:
        engine.step()
    result = handle.result()
    assert result.finish_reason is FinishReason.STOP
    assert result.token_ids == expected[: expected.index(expected[4]) + 1]


def test_closing_the_engine_fails_unfinished_requests_instead_of_hanging(model) -> None:
    engine = Engine(model, EngineConfig(max_seq_len=64))
    handle = engine.submit(prompt(4, 0), SamplingParams(max_tokens=5))
    engine.close()
    with pytest.raises(EngineError, match="shut down"):
        handle.result(timeout=5)


def test_token_ids_outside_the_vocabulary_are_refused_for_that_request_only(model) -> None:
    params = SamplingParams(max_tokens=6)
    with Engine(model, EngineConfig(max_seq_len=64)) as engine:
        before = engine.submit(prompt(5, 1), params)
        with pytest.raises(InvalidRequest, match=r"token id 512 is outside .* vocabulary \[0, 512\)"):
            engine.submit([1, 2, 512], params)
        with pytest.raises(InvalidRequest, match="non-negative"):
            engine.submit([3, -1], params)
        after = engine.submit(prompt(4, 2), params)
        assert before.result(timeout=30).token_ids == reference(model, prompt(5, 1), params)
        assert after.result(timeout=30).token_ids == reference(model, prompt(4, 2), params)


def test_a_request_the_model_fails_on_fails_alone_and_the_loop_lives_on(model, monkeypatch) -> None:
    healthy = [(prompt(5, 1), SamplingParams(max_tokens=6)), (prompt(12, 2), SamplingParams(max_tokens=4))]
    expected = [reference(model, ids, params) for ids, params in healthy]
    seen = {t for ids, _ in healthy for t in ids} | {t for output in expected for t in output}
    poison = min(set(range(500)) - seen)
    real_prefill = model.prefill

    def prefill_failing_on_poison(input_ids, *args, **kwargs):
        if (input_ids == poison).any():
            raise RuntimeError("simulated kernel failure")
        return real_prefill(input_ids, *args, **kwargs)

    monkeypatch.setattr(model, "prefill", prefill_failing_on_poison)
    with Engine(model, EngineConfig(max_seq_len=64)) as engine:
        first = engine.submit(*healthy[0])
        bad = engine.submit([*prompt(6, 3), poison], SamplingParams(max_tokens=5))
        second = engine.submit(*healthy[1])
        with pytest.raises(EngineError, match="model failed on it: RuntimeError: simulated kernel failure"):
            bad.result(timeout=30)
        assert bad.seq.finish_reason is FinishReason.ERROR
        assert [first.result(timeout=30).token_ids, second.result(timeout=30).token_ids] == expected
        later = engine.submit(*healthy[0])
        assert later.result(timeout=30).token_ids == expected[0]
        assert engine.metrics().slots_in_use == 0


def test_a_failed_decode_step_is_rebuilt_from_the_tokens_and_loses_nothing(model, monkeypatch) -> None:
    requests = [(prompt(n, i), SamplingParams(max_tokens=m), t) for i, (n, m, t) in enumerate(WORKLOAD)]
    real_decode, calls = model.decode, []

    def decode_failing_once(tokens, *args, **kwargs):
        calls.append(len(tokens))
        if len(calls) == 4:
            real_decode(tokens, *args, **kwargs)  # the state is updated, then the step "fails"
            raise RuntimeError("simulated device error")
        return real_decode(tokens, *args, **kwargs)

    monkeypatch.setattr(model, "decode", decode_failing_once)
    outputs, _ = run_staggered(Engine(model, EngineConfig(max_seq_len=64, num_slots=4)), requests)
    assert calls[3] > 1  # the failed step was a real batch
    for (ids, params, _), output in zip(requests, outputs, strict=True):
        assert output == reference(model, ids, params)


def test_metrics_report_queue_lengths_throughput_and_memory(model) -> None:
    engine = Engine(model, EngineConfig(max_seq_len=64, num_slots=2))
    lengths = [3, 7, 5]
    handles = [engine.submit(prompt(n, i), SamplingParams(max_tokens=8)) for i, n in enumerate(lengths)]
    assert engine.metrics().waiting == 3 and engine.metrics().running == 0
    engine.step()  # prefills the first two; the third waits for a slot
    metrics = engine.metrics()
    assert (metrics.running, metrics.waiting, metrics.slots_in_use) == (2, 1, 2)
    assert metrics.kv_tokens_in_use == 3 + 7
    pool = engine.pool
    assert metrics.memory_bytes_in_use == 2 * pool.fixed_bytes_per_slot + 10 * pool.kv_bytes_per_token
    for _ in range(3):
        engine.step()
    metrics = engine.metrics()
    assert metrics.tokens_generated == 2 * 4 and metrics.tokens_per_second > 0
    assert metrics.memory_bytes_in_use < metrics.memory_bytes_allocated
    while not all(h.done for h in handles):
        engine.step()
    metrics = engine.metrics()
    assert (metrics.running, metrics.waiting, metrics.memory_bytes_in_use) == (0, 0, 0)
    assert metrics.tokens_generated == 3 * 8


def test_the_models_end_of_text_id_stops_a_request_by_default(model) -> None:
    ids = prompt(6, 3)
    expected = reference(model, ids, SamplingParams(max_tokens=10, stop_token_ids=()))
    engine = Engine(model, EngineConfig(max_seq_len=64))
    assert engine.default_stop_token_ids == (511,)  # the fixture's eos_token_id
    engine.default_stop_token_ids = (expected[2],)  # a stop id the model is sure to produce
    by_default = engine.submit(ids, SamplingParams(max_tokens=10))
    explicit_none = engine.submit(ids, SamplingParams(max_tokens=10, stop_token_ids=()))
    while not (by_default.done and explicit_none.done):
        engine.step()
    assert by_default.result().token_ids == expected[: expected.index(expected[2]) + 1]
    assert explicit_none.result().token_ids == expected
