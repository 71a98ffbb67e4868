"""The Celery application: declared queues, interactive before batch, configured from settings.

``interactive`` carries hints, explanations and chat; ``batch`` carries assessment and evaluation
jobs. Workers consume the queues in that order (kombu's "priority" strategy), reserve one task at a
time per thread, and hand them all to the process's single engine host.
"""

from __future__ import annotations

from celery import Celery
from kombu import Queue

QUEUES = ("interactive", "batch")

celery_app = Celery("flashtutor", include=["app.worker.tasks"])
celery_app.conf.update(
    task_queues=[Queue(name) for name in QUEUES],
    task_default_queue="interactive",
    task_routes={"flashtutor.generate": {"queue": "interactive"}, "flashtutor.assess": {"queue": "batch"}},
    broker_transport_options={"queue_order_strategy": "priority"},
    worker_prefetch_multiplier=1,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,  # results travel over token streams and the database, not a result backend
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)


def configure(broker_url: str, namespace: str = "flashtutor") -> Celery:
    """Point the app at the broker; every key it writes starts with ``namespace`` (one Redis, many sites)."""
    celery_app.conf.update(
        broker_url=broker_url,
        broker_transport_options={"queue_order_strategy": "priority", "global_keyprefix": f"{namespace}:"},
    )
    return celery_app
