"""A batch job started while Redis is down: the admin gets a clear message instead of a bare "Error",
the job waits in the database, and a running worker hands it to the queue once Redis is back."""

from __future__ import annotations

import uuid

import pytest
from click.testing import CliRunner

from app.assembly import celery_client
from app.cli import main
from app.contract import QueueUnavailable
from app.db import Database
from app.services.assessment import create_grading_job, job_progress
from app.settings import get_settings
from app.worker.client import QUEUE_AWAY

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def test_a_job_started_while_redis_is_down_runs_once_it_is_back(
    grading_file, database_url, redis_server, processes, wait_for
) -> None:
    rows = grading_file([f"x = {i % 2 + 1}" for i in range(10)])
    db = Database(database_url)
    # The worker is up before the outage, so only its periodic sweep (not its startup) can find the job.
    worker = processes.start_worker(None, queues="batch", FLASHTUTOR_JOB_SWEEP_SECONDS="1")
    client = celery_client(redis_server.url)
    wait_for(lambda: "ready" in worker.log(), timeout_s=90, what="the batch worker ready")

    redis_server.stop()
    job_id = create_grading_job(db, rows, name=f"outage-{uuid.uuid4().hex[:6]}")
    with pytest.raises(QueueUnavailable) as refused:
        client.submit_assessment(job_id)
    assert str(refused.value) == QUEUE_AWAY  # what the admin page and the CLI show with the job's number
    assert job_progress(db, job_id).status == "queued"  # saved, not lost

    redis_server.start()
    try:
        wait_for(lambda: job_progress(db, job_id).status == "done", timeout_s=90, what="the job run")
    except TimeoutError:
        print(worker.log()[-4000:])
        raise
    assert job_progress(db, job_id).done == 10 and job_progress(db, job_id).correct == 5
    db.dispose()


def test_the_cli_says_the_job_is_saved_when_the_queue_is_away(tmp_path, monkeypatch) -> None:
    rows = tmp_path / "answers.csv"
    rows.write_text("learner,problem,answer,expected\nada,Solve 2x = 4,x = 2,x = 2\n")
    monkeypatch.setenv("FLASHTUTOR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FLASHTUTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'tutor.db'}")
    monkeypatch.setenv("FLASHTUTOR_BROKER_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["assess", "grade", str(rows)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert f"job 1 is saved, but {QUEUE_AWAY}; a worker starts it once the queue is back" in result.output
    assert job_progress(Database(f"sqlite:///{tmp_path / 'tutor.db'}"), 1).status == "queued"
