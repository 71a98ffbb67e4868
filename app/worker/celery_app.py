"""The Celery application: declared queues, interactive before batch, configured from settings.

``interactive`` carries hints, explanations and chat; ``batch`` carries assessment and evaluation
jobs. Workers consume the queues in that order (kombu's "priority" strategy), reserve one task at a
time per thread, and hand them all to the process's single engine host.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery
from kombu import Queue

from app.settings import Settings, mask_url
from tutor.checking import BATCH

QUEUES = ("interactive", "batch")


def app_config(broker_url: str | None, namespace: str = "flashtutor") -> dict:
    """Celery settings; every Redis key starts with ``namespace``, so several sites can share one Redis."""
    return {
        "broker_url": broker_url,
        "broker_transport_options": {"queue_order_strategy": "priority", "global_keyprefix": f"{namespace}:"},
        "task_queues": [Queue(name) for name in QUEUES],
        "task_default_queue": "interactive",
        "task_routes": {
            "flashtutor.generate": {"queue": "interactive"},
            "flashtutor.assess": {"queue": "batch"},
        },
        "worker_prefetch_multiplier": 1,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,  # results travel over token streams and the database
        "worker_hijack_root_logger": False,
        "broker_connection_retry_on_startup": True,
    }


def make_app(broker_url: str | None = None, namespace: str = "flashtutor") -> Celery:
    app = Celery("flashtutor", include=["app.worker.tasks"])
    app.conf.update(app_config(broker_url, namespace))
    return app


celery_app = make_app()  # the tasks register here; a worker process points it at its broker once


def run_worker(
    settings: Settings,
    *,
    queues: tuple[str, ...] = QUEUES,
    model_path: Path | None = None,
    concurrency: int = 64,
    slots: int = 16,
    namespace: str = "flashtutor",
) -> None:
    """Load the model once for this process, then serve tasks on threads that all share its engine."""
    from app.db import Database
    from app.services.checks import start_pools
    from app.worker.client import celery_client, check_broker_url, resume_unfinished_jobs, start_job_sweeper
    from app.worker.flags import RedisFlags
    from app.worker.runtime import WorkerRuntime, set_runtime
    from app.worker.streams import RedisStreams

    if not settings.broker_url:
        raise ValueError(
            "no broker is configured: set FLASHTUTOR_BROKER_URL (e.g. redis://127.0.0.1:6379/0); "
            "without one, `flashtutor serve` runs its own in-process worker"
        )
    unknown = sorted(set(queues) - set(QUEUES))
    if unknown:
        raise ValueError(f"unknown queues {unknown}; FlashTutor's queues are {list(QUEUES)}")
    check_broker_url(settings.broker_url)
    app = celery_app
    app.conf.update(app_config(settings.broker_url, namespace))
    streams = RedisStreams(settings.broker_url, namespace)
    flags = RedisFlags(settings.broker_url, namespace)
    if Database(settings.resolved_database_url).current_revision() is None:
        shown = mask_url(settings.resolved_database_url)
        raise ValueError(f"{shown} has no tables yet: run `flashtutor db upgrade`")
    start_pools(settings, BATCH)  # this worker grades batches in its own checking processes
    runtime = WorkerRuntime.from_settings(settings, streams, flags, model_path=model_path, slots=slots)
    set_runtime(runtime)
    resume_unfinished_jobs(
        runtime.database,
        lambda name, kwargs, queue: app.send_task(f"flashtutor.{name}", kwargs=kwargs, queue=queue),
    )
    # Jobs started while Redis was away are only in the database; hand them over once it is back.
    sweeper = start_job_sweeper(
        celery_client(settings.broker_url, namespace), runtime.database, settings.job_sweep_seconds
    )
    try:
        app.worker_main(
            ["worker", "--pool=threads", f"--concurrency={concurrency}", f"--queues={','.join(queues)}",
             "--loglevel=INFO", f"--hostname=flashtutor-{os.getpid()}@%h", "--without-gossip",
             "--without-mingle"]
        )  # fmt: skip
    finally:
        sweeper.set()
