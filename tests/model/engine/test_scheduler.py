"""Scheduler behaviour: admission by slots and KV budget, slot reuse, preemption, cancellation."""

from __future__ import annotations

import random
from collections import deque

import pytest

from model.engine.scheduler import Batch, RequestTooLarge, Scheduler, SchedulerConfig
from model.engine.sequence import FinishReason, InvalidRequest, SamplingParams, Sequence, SequenceStatus


def seq(prompt_len: int, max_tokens: int = 4, **params) -> Sequence:
    return Sequence(list(range(1, prompt_len + 1)), SamplingParams(max_tokens=max_tokens, **params))


def step(scheduler: Scheduler, token: int = 7) -> tuple[Batch | None, list[Sequence]]:
    scheduler.collect_cancelled()
    batch = scheduler.schedule()
    if batch is None:
        return None, []
    return batch, scheduler.postprocess(batch, [token] * len(batch.seqs))


def run_to_completion(scheduler: Scheduler, max_steps: int = 10_000) -> list[Sequence]:
    finished = []
    for _ in range(max_steps):
        if scheduler.is_idle:
            return finished
        _, done = step(scheduler)
        finished += done
    raise AssertionError("scheduler did not finish")


def test_prefill_batches_waiting_requests_into_free_slots() -> None:
    scheduler = Scheduler(SchedulerConfig(num_slots=2, max_seq_len=64))
    a, b, c = seq(3), seq(5), seq(4)
    for s in (a, b, c):
        scheduler.add(s)
    batch = scheduler.schedule()
    assert batch.kind == "prefill" and batch.seqs == [a, b]
    assert (a.slot, b.slot) == (0, 1)
    assert c.status is SequenceStatus.WAITING and scheduler.slots_in_use == 2
    assert scheduler.kv_tokens_in_use == 3 + 5


def test_prefill_and_decode_alternate_so_neither_starves() -> None:
    scheduler = Scheduler(SchedulerConfig(num_slots=8, max_seq_len=64))
    scheduler.add(seq(3, max_tokens=10))
    kinds = []
    for _ in range(4):
        scheduler.add(seq(3, max_tokens=10))  # a new arrival before every step
        batch, _ = step(scheduler)
        kinds.append(batch.kind)
    assert kinds == ["prefill", "decode", "prefill", "decode"]


def test_prefill_token_limit_splits_admission_over_steps() -> None:
    scheduler = Scheduler(SchedulerConfig(num_slots=4, max_seq_len=64, max_prefill_tokens=10))
    for _ in range(3):
        scheduler.add(seq(6))
    assert len(scheduler.schedule().seqs) == 1  # 6 + 6 > 10
    scheduler.postprocess(Batch("prefill", list(scheduler.running)), [7])
    assert scheduler.schedule().kind == "decode"


def test_finished_sequence_frees_its_slot_for_the_next_request() -> None:
    scheduler = Scheduler(SchedulerConfig(num_slots=1, max_seq_len=64))
    first, second = seq(3, max_tokens=2), seq(3, max_tokens=2)
    scheduler.add(first)
    scheduler.add(second)
    step(scheduler)  # prefill first -> 1 token
    _, done = step(scheduler)  # decode first -> 2 tokens, finished
    assert done == [first] and first.finish_reason is FinishReason.LENGTH and first.slot is None
    batch, _ = step(scheduler)
    assert batch.seqs == [second] and second.slot == 0
    assert scheduler.kv_tokens_in_use == 3


def test_stop_token_finishes_early() -> None:
    scheduler = Scheduler(SchedulerConfig(num_slots=1, max_seq_len=64))
    s = seq(3, max_tokens=50, stop_token_ids=(9,))
    scheduler.add(s)
    step(scheduler, token=5)
    _, done = step(scheduler, token=9)
    assert done == [s] and s.finish_reason is FinishReason.STOP and s.completion_token_ids == [5, 9]


def test_stop_string_needs_a_detokenizer_and_finishes_when_seen() -> None:
    with pytest.raises(InvalidRequest, match="tokenizer"):
        Scheduler(SchedulerConfig(num_slots=1, max_seq_len=64)).add(seq(2, stop_strings=("ab",)))
    letters = "xyzab"
    config = SchedulerConfig(num_slots=1, max_seq_len=64)
    scheduler = Scheduler(config, decode=lambda ids: "".join(letters[i] for i in ids))
    s = Sequence([0], SamplingParams(max_tokens=20, stop_strings=("ab",)))
    scheduler.add(s)
    for token in (1, 3):
        step(scheduler, token=token)
    assert not s.is_finished
    _, done = step(scheduler, token=4)
    assert done == [s] and s.finish_reason is FinishReason.STOP


def test_request_larger_than_the_budget_is_refused_with_a_clear_error() -> None:
    scheduler = Scheduler(SchedulerConfig(num_slots=4, max_seq_len=32, kv_token_budget=20))
    with pytest.raises(RequestTooLarge, match=r"needs up to 24 tokens .* at most 20"):
        scheduler.add(seq(20, max_tokens=4))
    with pytest.raises(RequestTooLarge):
        Scheduler(SchedulerConfig(num_slots=4, max_seq_len=16)).add(seq(10, max_tokens=7))
    scheduler.add(seq(10, max_tokens=10))  # exactly the budget fits
    assert len(run_to_completion(scheduler)) == 1


def test_admission_waits_for_kv_budget_instead_of_overcommitting() -> None:
    scheduler = Scheduler(SchedulerConfig(num_slots=4, max_seq_len=32, kv_token_budget=24))
    a, b = seq(12, max_tokens=8), seq(12, max_tokens=8)
    scheduler.add(a)
    scheduler.add(b)
    batch = scheduler.schedule()
    assert batch.seqs == [a]  # 12 + 12 + room to decode would exceed 24
    assert scheduler.kv_tokens_in_use <= 24


def test_running_sequence_that_cannot_grow_preempts_the_newest_and_it_resumes_exactly() -> None:
    scheduler = Scheduler(SchedulerConfig(num_slots=2, max_seq_len=16, kv_token_budget=16))
    old, new = seq(4, max_tokens=10), seq(4, max_tokens=10)
    scheduler.add(old)
    scheduler.add(new)
    assert step(scheduler)[0].seqs == [old, new]
    preempted_at = resumed_with = None
    for _ in range(40):
        batch = scheduler.schedule()
        assert scheduler.kv_tokens_in_use <= 16
        if new.num_preemptions and preempted_at is None:
            preempted_at = len(new)
            assert new.status is SequenceStatus.WAITING and new.slot is None
            assert batch.seqs == [old]
        if batch.kind == "prefill" and new in batch.seqs:
            resumed_with = len(new)  # resumes by prefilling prompt + generated tokens
        scheduler.postprocess(batch, [7] * len(batch.seqs))
        if scheduler.is_idle:
            break
    assert preempted_at is not None and resumed_with == preempted_at
    assert preempted_at is not None and old.num_preemptions == 0
    assert [len(s.completion_token_ids) for s in (old, new)] == [10, 10]


def test_lone_sequence_is_never_preempted_by_itself_when_it_fits() -> None:
    scheduler = Scheduler(SchedulerConfig(num_slots=1, max_seq_len=12))
    s = seq(4, max_tokens=8)
    scheduler.add(s)
    run_to_completion(scheduler)
    assert s.num_preemptions == 0 and len(s.completion_token_ids) == 8


def test_cancelling_waiting_and_running_requests_frees_them_at_once() -> None:
    scheduler = Scheduler(SchedulerConfig(num_slots=1, max_seq_len=64))
    running, waiting = seq(3, max_tokens=50), seq(3, max_tokens=50)
    scheduler.add(running)
    scheduler.add(waiting)
    step(scheduler)
    waiting.cancel_event.set()
    running.cancel_event.set()
    assert set(scheduler.collect_cancelled()) == {running, waiting}
    assert running.finish_reason is waiting.finish_reason is FinishReason.CANCELLED
    assert scheduler.is_idle and scheduler.slots_in_use == 0 and scheduler.kv_tokens_in_use == 0


def test_token_sampled_after_cancel_is_dropped() -> None:
    scheduler = Scheduler(SchedulerConfig(num_slots=1, max_seq_len=64))
    s = seq(3, max_tokens=50)
    scheduler.add(s)
    batch = scheduler.schedule()
    s.cancel_event.set()  # cancelled while the model step runs
    assert scheduler.postprocess(batch, [7]) == []
    assert s.completion_token_ids == [] and scheduler.collect_cancelled() == [s]


@pytest.mark.parametrize("seed", range(5))
def test_random_workload_loses_and_duplicates_nothing(seed: int) -> None:
    rng = random.Random(seed)
    config = SchedulerConfig(num_slots=3, max_seq_len=40, kv_token_budget=60, max_prefill_tokens=30)
    scheduler = Scheduler(config)
    submitted, finished, tokens = [], [], iter(range(10**9))
    for _ in range(400):
        if rng.random() < 0.3 and len(submitted) < 30:
            s = seq(rng.randint(1, 20), max_tokens=rng.randint(1, 20))
            scheduler.add(s)
            submitted.append(s)
        if submitted and rng.random() < 0.05:
            rng.choice(submitted).cancel_event.set()
        finished += scheduler.collect_cancelled()
        batch = scheduler.schedule()
        if batch:
            assert len({s.seq_id for s in batch.seqs}) == len(batch.seqs)
            slots = [s.slot for s in scheduler.running]
            assert len(set(slots)) == len(slots) and all(0 <= x < 3 for x in slots)
            assert scheduler.kv_tokens_in_use <= 60
            finished += scheduler.postprocess(batch, [next(tokens) for _ in batch.seqs])
    finished += run_to_completion(scheduler)
    assert sorted(s.seq_id for s in finished) == sorted(s.seq_id for s in submitted)
    for s in finished:
        if s.finish_reason is FinishReason.LENGTH:
            assert len(s.completion_token_ids) == s.params.max_tokens
        else:
            assert s.finish_reason is FinishReason.CANCELLED
        generated = s.completion_token_ids
        assert len(set(generated)) == len(generated)  # no step ran twice for one sequence


def test_abort_frees_what_the_sequence_holds_and_the_others_carry_on() -> None:
    scheduler = Scheduler(SchedulerConfig(num_slots=2, max_seq_len=64))
    doomed, other, queued = seq(5, max_tokens=3), seq(4, max_tokens=3), seq(6, max_tokens=3)
    for s in (doomed, other, queued):
        scheduler.add(s)
    step(scheduler)
    scheduler.abort(doomed, "the model failed on it")
    assert doomed.finish_reason is FinishReason.ERROR and doomed.error == "the model failed on it"
    assert doomed.slot is None and scheduler.kv_tokens_in_use == 4  # only the prompt of `other`
    finished = run_to_completion(scheduler)
    assert set(finished) == {other, queued} and queued.slot is None


def test_a_detokenizer_failure_ends_only_the_sequence_it_was_decoding() -> None:
    letters = "abc"
    config = SchedulerConfig(num_slots=2, max_seq_len=64)
    scheduler = Scheduler(config, decode=lambda ids: "".join(letters[i] for i in ids))
    unlucky = Sequence([0], SamplingParams(max_tokens=5, stop_strings=("cc",)))
    plain = Sequence([0], SamplingParams(max_tokens=5))
    scheduler.add(unlucky)
    scheduler.add(plain)
    batch = scheduler.schedule()
    assert scheduler.postprocess(batch, [7, 7]) == [unlucky]  # id 7 has no text
    assert unlucky.finish_reason is FinishReason.ERROR and "stop strings" in unlucky.error
    assert not plain.is_finished and scheduler.running == deque([plain])
