"""The Celery application: declared queues, interactive before batch, configured from settings.

``interactive`` carries hints, explanations and chat; ``batch`` carries assessment and evaluation
jobs. Workers consume the queues in that order (kombu's "priority" strategy), reserve one task at a
time per thread, and hand them all to the process's single engine host. ``app.assembly.run_worker``
starts a worker process on this app.
"""

from __future__ import annotations

from celery import Celery
from kombu import Queue

from app.settings import mask_url

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


def check_broker_url(url: str) -> None:
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(
            "FLASHTUTOR_BROKER_URL must be a Redis URL (tokens stream over Redis Streams), "
            f"got {mask_url(url)!r}"
        )
