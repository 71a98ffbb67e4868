"""Workers and their broker failing under the app: a worker killed mid-job, Redis stopped and restarted.

The user gets a clear message while a service is away, and everything recovers by itself when it
returns; a batch job finishes with every item graded exactly once.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app.assembly import celery_client
from app.contract import GenerationRequest
from app.db import Database
from app.models import AssessmentItem
from app.services.assessment import create_grading_job, job_progress
from app.worker.streams import StreamTimeout

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]
COMPLETION = {"prompt": [1, 2, 3, 4], "max_tokens": 4, "temperature": 0}


def test_redis_restart_gives_a_clear_message_then_the_model_comes_back(
    database_url, redis_server, processes, open_web, tiny_model_path, wait_for
) -> None:
    processes.start_worker(tiny_model_path, queues="interactive")
    client, ada = open_web(database_url, redis_server.url)

    def model_answers() -> bool:
        return client.post("/v1/completions", headers=ada, json=COMPLETION).status_code == 200

    wait_for(model_answers, timeout_s=90, what="the model worker answering")

    redis_server.stop()
    refused = client.post("/v1/completions", headers=ada, json=COMPLETION)
    assert refused.status_code == 503, refused.text
    assert "try again" in refused.json()["error"]["message"]
    assert client.get("/ready").json() == {"status": "ok"}  # the web side still serves the symbolic tutor
    session = client.post("/api/sessions", headers=ada, json={}).json()  # the symbolic tutor carries on
    attempt_id = client.post(f"/api/sessions/{session['id']}/next", headers=ada).json()["attempt_id"]
    assert client.post(f"/api/attempts/{attempt_id}/hint", headers=ada).status_code == 200

    redis_server.start()
    wait_for(model_answers, timeout_s=90, what="the model answering again after Redis came back")


def test_a_batch_job_survives_a_killed_worker_with_every_item_once(
    grading_file, database_url, redis_server, processes, wait_for
) -> None:
    rows = grading_file([f"x = {i % 3}" for i in range(600)])
    db = Database(database_url)
    job_id = create_grading_job(db, rows, name=f"fault-{uuid.uuid4().hex[:6]}")
    first = processes.start_worker(None, queues="batch")
    client = celery_client(redis_server.url)
    client.submit_assessment(job_id)

    wait_for(lambda: job_progress(db, job_id).done >= 20, timeout_s=60, what="the first items graded")
    first.kill()
    done_at_kill = job_progress(db, job_id).done
    assert done_at_kill < 600, "the job finished before the kill; make it longer"

    processes.start_worker(None, queues="batch")  # resumes unfinished jobs when it starts
    wait_for(lambda: job_progress(db, job_id).status == "done", timeout_s=90, what="the job finishing")
    with db.transaction() as session:
        counted = select(func.count(), func.count(func.distinct(AssessmentItem.item_index)))
        items, distinct = session.execute(counted.where(AssessmentItem.job_id == job_id)).one()
    assert items == distinct == 600
    assert job_progress(db, job_id).correct == 200
    db.dispose()


def test_a_worker_killed_mid_reply_ends_the_reply_clearly_and_a_new_worker_serves(
    redis_server, processes, tiny_model_path, wait_for
) -> None:
    first = processes.start_worker(tiny_model_path, queues="interactive")
    client = celery_client(redis_server.url)
    client.read_timeout_s = 3.0
    wait_for(lambda: len(client.workers()) == 1, timeout_s=90, what="the model worker's heartbeat")
    long_reply = GenerationRequest(prompt_token_ids=[1, 2, 3], max_tokens=100_000, temperature=0.0)
    events = client.events(client.submit(long_reply))
    next(events)  # the worker is generating
    first.kill()
    with pytest.raises(StreamTimeout, match="no output for request"):
        for _ in events:
            pass

    processes.start_worker(tiny_model_path, queues="interactive")
    short = GenerationRequest(prompt_token_ids=[1, 2, 3], max_tokens=4, temperature=0.0)
    wait_for(lambda: client.generate(short) is not None, timeout_s=90, what="a new worker answering")
