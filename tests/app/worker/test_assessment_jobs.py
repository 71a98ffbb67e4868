"""Assessment jobs: grading learner answers, resuming after a crash, never grading an item twice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.assembly import embedded_client
from app.db import Database
from app.models import AssessmentItem
from app.services import assessment
from app.services.assessment import JobInputError
from app.worker.flags import MemoryFlags

ROWS = [
    ("ada", "Solve 2x + 3 = 11", "x = 4", "4", True),
    ("ben", "Solve 2x + 3 = 11", "x = 7", "4", False),
    ("cy", "Expand (x+1)(x-1)", "x^2 - 1", "x^2-1", True),
    ("dee", "Simplify 6/8", "0.75", "3/4", True),
    ("eve", "Solve x^2 = 9", "x = 3", "x = 3 or x = -3", False),
]


def write_csv(path: Path, rows) -> Path:
    lines = ["learner,problem,answer,expected"] + [f'{a},"{p}","{s}","{e}"' for a, p, s, e, *_ in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_jsonl(path: Path, rows) -> Path:
    keys = ("learner", "problem", "answer", "expected")
    path.write_text("".join(json.dumps(dict(zip(keys, r[:4], strict=True))) + "\n" for r in rows))
    return path


def item_count(db, job_id: int) -> tuple[int, int]:
    with db.transaction() as session:
        return session.execute(
            select(func.count(), func.count(func.distinct(AssessmentItem.item_index)))
            .where(AssessmentItem.job_id == job_id)
        ).one()  # fmt: skip


@pytest.mark.parametrize("writer", [write_csv, write_jsonl])
def test_a_grading_job_checks_every_answer_and_writes_a_results_file(db, tmp_path, writer):
    source = writer(tmp_path / f"answers.{'csv' if writer is write_csv else 'jsonl'}", ROWS)
    job_id = assessment.create_grading_job(db, source)
    assert assessment.job_progress(db, job_id).status == "queued"
    progress = assessment.run_job(
        db, job_id, generate=None, flags=MemoryFlags(), owner="w1", results_dir=tmp_path / "out"
    )  # fmt: skip
    assert (progress.status, progress.done, progress.total, progress.correct) == ("done", 5, 5, 3)
    lines = assessment.results_path(tmp_path / "out", job_id).read_text().splitlines()
    results = [json.loads(line) for line in lines]
    assert [(r["learner"], r["correct"]) for r in results] == [(r[0], r[4]) for r in ROWS]


def test_running_a_finished_job_again_grades_nothing_twice(db, tmp_path):
    job_id = assessment.create_grading_job(db, write_csv(tmp_path / "a.csv", ROWS))
    for owner in ("w1", "w2"):
        assessment.run_job(db, job_id, generate=None, flags=MemoryFlags(), owner=owner, results_dir=tmp_path)
    assert item_count(db, job_id) == (5, 5)


def test_a_job_held_by_another_worker_is_left_alone(db, tmp_path):
    job_id = assessment.create_grading_job(db, write_csv(tmp_path / "a.csv", ROWS))
    flags = MemoryFlags()
    flags.put(f"job:{job_id}", "other-worker", 30)
    progress = assessment.run_job(db, job_id, generate=None, flags=flags, owner="me", results_dir=tmp_path)
    assert (progress.status, progress.done) == ("queued", 0)
    assert assessment.unfinished_jobs(db) == [job_id]


def test_bad_input_files_get_clear_errors(db, tmp_path):
    with pytest.raises(JobInputError, match="does not exist"):
        assessment.create_grading_job(db, tmp_path / "missing.csv")
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(JobInputError, match=r"use a \.csv or \.jsonl"):
        assessment.create_grading_job(db, tmp_path / "a.txt")
    (tmp_path / "b.csv").write_text("learner,problem,answer\nada,1+1,2\n")
    with pytest.raises(JobInputError, match="row 1: missing expected"):
        assessment.create_grading_job(db, tmp_path / "b.csv")
    (tmp_path / "c.jsonl").write_text('{"problem": "1+1"\n')
    with pytest.raises(JobInputError, match="not valid jsonl"):
        assessment.create_evaluation_job(db, tmp_path / "c.jsonl")


def test_evaluating_without_a_model_fails_the_job_and_says_how_to_enable_it(db, tmp_path):
    source = tmp_path / "math.jsonl"
    source.write_text(json.dumps({"problem": "What is 1+1?", "answer": "2"}) + "\n")
    job_id = assessment.create_evaluation_job(db, source, samples=2)
    with pytest.raises(RuntimeError, match="FLASHTUTOR_MODEL_PATH"):
        assessment.run_job(db, job_id, generate=None, flags=MemoryFlags(), owner="w", results_dir=tmp_path)
    progress = assessment.job_progress(db, job_id)
    assert (progress.status, progress.total) == ("failed", 2)
    assert "FLASHTUTOR_MODEL_PATH" in progress.error


def many_rows(n: int) -> list[tuple]:
    """Every third learner is off by one."""
    return [(f"l{i}", f"x + {i} = {2 * i}", f"x = {i + (i % 3 == 0)}", str(i), i % 3 != 0) for i in range(n)]


def graded_so_far(db, job_id: int) -> int:
    """Items stored so far; 0 while the job's process has not created the tables yet."""
    try:
        return item_count(db, job_id)[0]
    except OperationalError:
        return 0


def test_the_cli_killed_mid_job_then_resumed_grades_each_item_once(tmp_path, subprocess_env, wait_for):
    database_url = f"sqlite:///{tmp_path / 'tutor.db'}"
    env = subprocess_env(FLASHTUTOR_DATA_DIR=str(tmp_path), FLASHTUTOR_DATABASE_URL=database_url)
    flashtutor = str(Path(sys.executable).parent / "flashtutor")
    rows = many_rows(400)
    source = write_csv(tmp_path / "big.csv", rows)
    run = subprocess.Popen([flashtutor, "assess", "grade", str(source)], env=env, stdout=subprocess.DEVNULL)
    db = Database(database_url)
    wait_for(lambda: graded_so_far(db, 1) >= 20 or run.poll() is not None, 60, "the job to start grading")
    run.kill()  # SIGKILL: no cleanup at all
    run.wait()
    assert 0 < graded_so_far(db, 1) < 400, "the job should have been killed part way"
    resumed = subprocess.run([flashtutor, "assess", "resume", "1"], env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "done, 400/400 graded" in resumed.stdout
    assert item_count(db, 1) == (400, 400)
    assert assessment.job_progress(db, 1).correct == sum(r[4] for r in rows)


@pytest.mark.redis
def test_a_killed_celery_worker_restarted_grades_each_item_once(celery_worker, tmp_path, wait_for):
    client, worker = celery_worker
    db = Database(f"sqlite:///{worker.data_dir / 'tutor.db'}")
    rows = many_rows(500)
    job_id = assessment.create_grading_job(db, write_csv(tmp_path / "big.csv", rows))
    client.submit_assessment(job_id)
    wait_for(lambda: graded_so_far(db, job_id) >= 20, 60, "the worker to start grading")
    worker.kill()
    assert assessment.job_progress(db, job_id).status == "running"
    assert 0 < graded_so_far(db, job_id) < 500, "the worker should have been killed part way"
    worker.start()  # finds the job unfinished; takes it over once the dead worker's lease runs out
    wait_for(lambda: assessment.job_progress(db, job_id).status == "done", 90, "the restarted worker")
    assert item_count(db, job_id) == (500, 500)
    assert assessment.job_progress(db, job_id).correct == sum(r[4] for r in rows)
    lines = assessment.results_path(worker.data_dir / "jobs", job_id).read_text().splitlines()
    assert [json.loads(line)["index"] for line in lines] == list(range(500))


def test_the_embedded_worker_resumes_unfinished_jobs_when_it_starts(tmp_path, worker_settings, wait_for):
    settings = worker_settings(tmp_path, None)
    db = Database(settings.resolved_database_url)
    db.upgrade()
    job_id = assessment.create_grading_job(db, write_csv(tmp_path / "a.csv", ROWS))
    client = embedded_client(settings, threads=2)
    try:
        wait_for(lambda: assessment.job_progress(db, job_id).status == "done", 30, "the job to be picked up")
    finally:
        client.close()
    assert item_count(db, job_id) == (5, 5)


def test_an_evaluation_the_model_cannot_read_fails_clearly(tmp_path, tiny_model_path, subprocess_env):
    source = tmp_path / "math500.jsonl"
    source.write_text(json.dumps({"problem": "What is $1+1$?", "answer": "2"}) + "\n")
    env = subprocess_env(
        FLASHTUTOR_DATA_DIR=str(tmp_path),
        FLASHTUTOR_DATABASE_URL=f"sqlite:///{tmp_path / 'tutor.db'}",
        FLASHTUTOR_MODEL_PATH=str(tiny_model_path),
        FLASHTUTOR_DEVICE="cpu",
    )
    flashtutor = str(Path(sys.executable).parent / "flashtutor")
    run = subprocess.run([flashtutor, "assess", "evaluate", str(source), "-k", "2", "--max-tokens", "8"],
                         env=env, capture_output=True, text=True)  # fmt: skip
    assert run.returncode != 0
    assert "job 1 failed" in run.stderr and "outside the model's vocabulary" in run.stderr
