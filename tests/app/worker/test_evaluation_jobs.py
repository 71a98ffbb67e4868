"""Evaluation jobs end to end: the tiny model answers a MATH-500-style set, k samples per problem.

The fixture checkpoint's 512-id vocabulary cannot read o200k prompts, so these tests give it a
byte-level tokenizer (256 byte tokens + chat tokens) that it can read; its random text is then scored
exactly as a real model's would be.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.assembly import embedded_client, open_runtime
from app.contract import Generation, GenerationRequest, ModelUnavailable
from app.db import Database
from app.models import AssessmentItem, ModelRequest
from app.services import assessment
from app.worker.flags import MemoryFlags
from app.worker.streams import MemoryStreams

PROBLEMS = [  # MATH-500's format: extra fields are carried along and ignored
    {"problem": "What is $1+1$?", "answer": "2", "subject": "Prealgebra", "level": 1, "unique_id": "a"},
    {"problem": "Simplify $\\frac{6}{8}$.", "answer": "\\frac{3}{4}", "subject": "Prealgebra", "level": 1,
     "unique_id": "b"},
    {"problem": "Find the positive $x$ with $x^2 = 9$.", "answer": "3", "subject": "Algebra", "level": 2,
     "unique_id": "c"},
]  # fmt: skip
SAMPLES, MAX_TOKENS = 2, 8


@pytest.fixture(scope="module")
def readable_model(readable_tiny_model: Callable[..., Path]) -> Path:
    """The fixture checkpoint plus a byte-level tokenizer whose every id, chat tokens included, is < 512."""
    return readable_tiny_model(separate_files=True)


def write_problems(path: Path) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in PROBLEMS), encoding="utf-8")
    return path


def stored_items(db: Database, job_id: int) -> list[AssessmentItem]:
    with db.transaction() as session:
        query = select(AssessmentItem).where(AssessmentItem.job_id == job_id)
        items = session.scalars(query.order_by(AssessmentItem.item_index)).all()
        session.expunge_all()
        return list(items)


def model_requests(db: Database) -> dict[int, ModelRequest]:
    with db.transaction() as session:
        records = session.scalars(select(ModelRequest).where(ModelRequest.purpose == "assessment")).all()
        session.expunge_all()
        return {record.id: record for record in records}


def pass_at_1(items: list[AssessmentItem], samples: int) -> float:
    """The model card's pass@1: each problem's share of correct samples, averaged over problems."""
    per_problem: dict[int, list[bool]] = {}
    for item in items:
        per_problem.setdefault(item.item_index // samples, []).append(item.correct)
    return sum(sum(c) / len(c) for c in per_problem.values()) / len(per_problem)


def test_the_embedded_worker_evaluates_the_tiny_model_end_to_end(
    tmp_path, readable_model, worker_settings, wait_for
):
    settings = worker_settings(tmp_path, readable_model)
    db = Database(settings.resolved_database_url)
    db.upgrade()
    client = embedded_client(settings, threads=4)
    try:
        job_id = assessment.create_evaluation_job(
            db, write_problems(tmp_path / "math500.jsonl"), samples=SAMPLES, max_tokens=MAX_TOKENS
        )
        client.submit_assessment(job_id)
        seen: list[assessment.JobProgress] = []
        wait_for(
            lambda: seen.append(assessment.job_progress(db, job_id)) or seen[-1].status in ("done", "failed"),
            60,
            "the evaluation job to finish",
        )
    finally:
        client.close()
    progress = seen[-1]
    assert (progress.status, progress.error) == ("done", None)
    assert (progress.done, progress.total) == (6, 6)
    assert [p.done for p in seen] == sorted(p.done for p in seen), "progress never goes backwards"
    assert all(p.total == 6 and p.kind == "evaluate" for p in seen)

    items = stored_items(db, job_id)
    assert [item.item_index for item in items] == list(range(6))
    assert [item.expected for item in items] == [row["answer"] for row in PROBLEMS for _ in range(SAMPLES)]
    records = model_requests(db)
    assert sorted(records) == sorted(item.model_request_id for item in items)
    for item in items:
        record = records[item.model_request_id]
        assert record.status == "done" and record.prompt_tokens > 0
        assert 1 <= record.output_tokens <= MAX_TOKENS
        assert PROBLEMS[item.item_index // SAMPLES]["problem"] in json.loads(record.prompt)[1]["content"]
        verdict = "correct" if item.correct else ("no_answer" if item.submitted is None else "incorrect")
        assert record.verification == verdict

    assert progress.score == pass_at_1(items, SAMPLES)
    assert progress.correct == sum(item.correct for item in items)
    lines = assessment.results_path(settings.data_dir / "jobs", job_id).read_text().splitlines()
    results = [json.loads(line) for line in lines]
    assert [(r["index"], r["correct"], r["submitted"]) for r in results] == [
        (item.item_index, item.correct, item.submitted) for item in items
    ]


class FailsAfter:
    """The real model, until it is lost after ``calls`` generations (a crashed GPU, a dropped worker)."""

    def __init__(self, generate, calls: int) -> None:
        self.generate, self.calls_left = generate, calls
        self.seeds: list[int] = []

    def __call__(self, request: GenerationRequest) -> Generation:
        self.seeds.append(request.seed)
        if self.calls_left == 0:
            raise ModelUnavailable("the worker lost its GPU")
        self.calls_left -= 1
        return self.generate(request)


def test_an_evaluation_that_fails_part_way_resumes_and_asks_each_item_once(
    tmp_path, readable_model, worker_settings
):
    settings = worker_settings(tmp_path, readable_model)
    db = Database(settings.resolved_database_url)
    db.upgrade()
    job_id = assessment.create_evaluation_job(
        db, write_problems(tmp_path / "math500.jsonl"), samples=SAMPLES, max_tokens=MAX_TOKENS
    )
    runtime = open_runtime(settings, MemoryStreams(), MemoryFlags())
    run = dict(flags=runtime.flags, owner=runtime.worker_id, results_dir=runtime.results_dir, parallel=1)
    try:
        crashing = FailsAfter(runtime.generate, calls=2)
        with pytest.raises(ModelUnavailable, match="lost its GPU"):
            assessment.run_job(db, job_id, generate=crashing, **run)
        failed = assessment.job_progress(db, job_id)
        assert (failed.status, failed.done, failed.error) == ("failed", 2, "the worker lost its GPU")
        assert crashing.seeds == [0, 1, 2], "a lost model stops the job instead of being asked every item"

        resumed = FailsAfter(runtime.generate, calls=6)
        progress = assessment.run_job(db, job_id, generate=resumed, **run)
    finally:
        runtime.close()
    assert (progress.status, progress.done, progress.total) == ("done", 6, 6)
    assert resumed.seeds == [2, 3, 4, 5], "only the items not stored yet are asked again"
    items = stored_items(db, job_id)
    assert [item.item_index for item in items] == list(range(6))
    assert len(model_requests(db)) == 6
    assert progress.score == pass_at_1(items, SAMPLES)


def scripted_answer(request: GenerationRequest) -> Generation:
    """Problem 1 right twice (once in another notation), problem 2 right once, problem 3 never."""
    text = {
        0: "1 and 1 make \\boxed{2}.",
        1: "So the answer is \\boxed{2.0}",
        2: "Dividing by 2 gives \\boxed{\\dfrac{3}{4}}.",
        3: "I think it is \\boxed{\\frac{6}{9}}.",
        4: "Then $x = -3$, so \\boxed{-3}.",
        5: "I am not sure.",
    }[request.seed]
    return Generation(request.request_id, text, "done", 40, len(text), 5)


def test_pass_at_1_averages_each_problems_share_of_correct_samples(db, tmp_path):
    job_id = assessment.create_evaluation_job(db, write_problems(tmp_path / "math500.jsonl"), samples=SAMPLES)
    progress = assessment.run_job(
        db, job_id, generate=scripted_answer, flags=MemoryFlags(), owner="w", results_dir=tmp_path
    )
    assert (progress.status, progress.done, progress.correct) == ("done", 6, 3)
    assert progress.score == pytest.approx((2 / 2 + 1 / 2 + 0 / 2) / 3) == 0.5
    items = stored_items(db, job_id)
    assert [(item.submitted, item.correct) for item in items] == [
        ("2", True), ("2.0", True), ("\\dfrac{3}{4}", True),
        ("\\frac{6}{9}", False), ("-3", False), (None, False),
    ]  # fmt: skip
    verdicts = model_requests(db)
    assert [verdicts[item.model_request_id].verification for item in items] == [
        "correct", "correct", "correct", "incorrect", "incorrect", "no_answer",
    ]  # fmt: skip


def test_an_output_that_cannot_be_graded_in_time_needs_review(db, tmp_path):
    """A factorial tower never finishes: after a second try the item is kept for review, never "incorrect"."""

    def endless_answer(request: GenerationRequest) -> Generation:
        text = "It is \\boxed{10!!!!!!}." if request.seed == 0 else "It is \\boxed{2}."
        return Generation(request.request_id, text, "done", 40, len(text), 5)

    job_id = assessment.create_evaluation_job(db, write_problems(tmp_path / "math500.jsonl"), samples=1)
    progress = assessment.run_job(
        db, job_id, generate=endless_answer, flags=MemoryFlags(), owner="w", results_dir=tmp_path, parallel=1
    )
    assert (progress.status, progress.done, progress.correct) == ("done", 3, 0)
    items = stored_items(db, job_id)
    verdicts = model_requests(db)
    assert [verdicts[item.model_request_id].verification for item in items] == [
        "needs_review", "incorrect", "incorrect",
    ]  # fmt: skip
    assert [item.correct for item in items] == [None, False, False]


def test_the_evaluate_command_runs_the_tiny_model_and_reports_the_score(
    tmp_path, readable_model, subprocess_env
):
    env = subprocess_env(
        FLASHTUTOR_DATA_DIR=str(tmp_path),
        FLASHTUTOR_DATABASE_URL=f"sqlite:///{tmp_path / 'tutor.db'}",
        FLASHTUTOR_MODEL_PATH=str(readable_model),
        FLASHTUTOR_DEVICE="cpu",
    )
    flashtutor = str(Path(sys.executable).parent / "flashtutor")
    source = write_problems(tmp_path / "math500.jsonl")
    run = subprocess.run([flashtutor, "assess", "evaluate", str(source), "-k", "2", "--max-tokens", "8"],
                         env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    db = Database(f"sqlite:///{tmp_path / 'tutor.db'}")
    score = pass_at_1(stored_items(db, 1), SAMPLES)
    assert f"job 1 (evaluate): done, 6/6 graded, score {score:.3f}" in run.stdout
    results = assessment.results_path(tmp_path / "jobs", 1)
    assert f"results: {results}" in run.stdout
    assert len(results.read_text().splitlines()) == 6
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ModelRequest)) == 6
