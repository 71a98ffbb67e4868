"""Where the model side is put together: the one place that picks the transport, loads the engine and
wires a client to its workers, for every entry point.

- the web app (``app.web.factory``) calls ``connect``: Celery workers when a broker is configured,
  else an embedded worker on threads of the web process;
- ``flashtutor worker`` calls ``run_worker``: this process's runtime (engine loaded once) serving Celery;
- the CLI's batch jobs call ``celery_client`` (queue the job) or ``run_job_here`` (no broker).

Layers: ``app.contract`` at the bottom; the services and ``app.worker`` each depend on it, and the worker
runs the services' jobs (``app.worker.tasks``); this module, the CLI and the web app sit on top.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from app.contract import QueueUnavailable
from app.db import Database
from app.services import assessment
from app.services.checks import start_pools
from app.settings import Settings, mask_url
from app.worker.celery_app import QUEUES, app_config, celery_app, check_broker_url, make_app
from app.worker.client import Dispatch, WorkerClient
from app.worker.embedded import EmbeddedWorker
from app.worker.flags import Flags, MemoryFlags, RedisFlags
from app.worker.runtime import WorkerRuntime, set_runtime
from app.worker.streams import MemoryStreams, RedisStreams, TokenStreams
from app.worker.tasks import run_assessment
from tutor.checking import BATCH

log = logging.getLogger(__name__)
DEFAULT_NAMESPACE = "flashtutor"


def transport(broker_url: str | None, namespace: str = DEFAULT_NAMESPACE) -> tuple[TokenStreams, Flags]:
    """Token streams and shared flags: in Redis with a broker (workers in other processes), else in memory."""
    if broker_url:
        check_broker_url(broker_url)
        return RedisStreams(broker_url, namespace), RedisFlags(broker_url, namespace)
    return MemoryStreams(), MemoryFlags()


def open_runtime(
    settings: Settings,
    streams: TokenStreams,
    flags: Flags,
    *,
    model_path: Path | None = None,
    slots: int = 16,
    database: Database | None = None,
) -> WorkerRuntime:
    """A worker runtime for this process; loads the checkpoint once when one is configured."""
    model_path = model_path or settings.model_path
    host = None
    if model_path is not None:
        # The host needs torch and the model; a web process with a broker never gets here, so it never
        # imports them (tests/app/test_layering.py checks that importing the web app loads no torch).
        from app.worker.host import EngineHost
        from model.engine.engine import EngineConfig

        host = EngineHost.from_checkpoint(
            model_path, streams, flags, device=settings.device, dtype=settings.dtype,
            quantize=settings.quantize, native_kernels=settings.native_kernels,
            config=EngineConfig(num_slots=slots),
        )  # fmt: skip
    database = database or Database(settings.resolved_database_url)
    return WorkerRuntime(streams, flags, database, settings.results_dir, host)


# -- clients for the web side and the CLI --------------------------------------------------------
def celery_client(broker_url: str, namespace: str = DEFAULT_NAMESPACE) -> WorkerClient:
    """A client that queues tasks for Celery workers over Redis and reads their token streams."""
    streams, flags = transport(broker_url, namespace)
    app = make_app(broker_url, namespace)  # its own app: clients for several namespaces can coexist

    def dispatch(name: str, kwargs: dict, queue: str) -> None:
        app.send_task(f"flashtutor.{name}", kwargs=kwargs, queue=queue)

    return WorkerClient(dispatch, streams, flags)


def embedded_client(settings: Settings, *, threads: int = 32) -> WorkerClient:
    """A client with its own in-process worker (and model, when a checkpoint is configured)."""
    streams, flags = transport(None)
    runtime = open_runtime(settings, streams, flags)
    worker = EmbeddedWorker(runtime, threads=threads)
    resume_unfinished_jobs(runtime.database, worker.dispatch)
    return WorkerClient(worker.dispatch, streams, flags, on_close=worker.close)


def connect(settings: Settings) -> WorkerClient:
    """The web process's client: Celery workers when a broker is configured, else the embedded worker."""
    if settings.broker_url:
        return celery_client(settings.broker_url)
    return embedded_client(settings)


def run_job_here(settings: Settings, job_id: int, database: Database | None = None) -> assessment.JobProgress:
    """Run an assessment job in this process, to the end (the CLI without a broker)."""
    runtime = open_runtime(settings, *transport(None), database=database)
    try:
        return run_assessment(runtime, job_id)
    finally:
        runtime.close()


# -- batch jobs the broker never got -----------------------------------------------------------------
def resume_unfinished_jobs(database: Database, dispatch: Dispatch) -> None:
    """Re-queue the jobs a stopped worker left unfinished; their graded items are kept, not redone."""
    if database.current_revision() is None:  # a brand-new database has no jobs yet
        return
    for job_id in assessment.unfinished_jobs(database):
        dispatch("assess", {"job_id": job_id}, "batch")


def start_job_sweeper(client: WorkerClient, database: Database, every_s: float) -> threading.Event:
    """Hand the broker the queued jobs it never got, every ``every_s`` seconds on a daemon thread, riding
    out a broker or database that is away; set the returned event to stop it."""
    stop = threading.Event()

    def sweep() -> None:
        while not stop.wait(every_s):
            try:
                if dispatched := client.dispatch_queued_jobs(assessment.queued_jobs(database)):
                    log.info("queued batch jobs %s, started while the broker was away", dispatched)
            except (QueueUnavailable, SQLAlchemyError) as error:
                log.warning("cannot sweep queued batch jobs yet: %s", error)

    threading.Thread(target=sweep, name="job-sweeper", daemon=True).start()
    return stop


# -- a worker process ---------------------------------------------------------------------------------
def run_worker(
    settings: Settings,
    *,
    queues: tuple[str, ...] = QUEUES,
    model_path: Path | None = None,
    concurrency: int = 64,
    slots: int = 16,
    namespace: str = DEFAULT_NAMESPACE,
) -> None:
    """Load the model once for this process, then serve tasks on threads that all share its engine."""
    if not settings.broker_url:
        raise ValueError(
            "no broker is configured: set FLASHTUTOR_BROKER_URL (e.g. redis://127.0.0.1:6379/0); "
            "without one, `flashtutor serve` runs its own in-process worker"
        )
    unknown = sorted(set(queues) - set(QUEUES))
    if unknown:
        raise ValueError(f"unknown queues {unknown}; FlashTutor's queues are {list(QUEUES)}")
    streams, flags = transport(settings.broker_url, namespace)
    app = celery_app
    app.conf.update(app_config(settings.broker_url, namespace))
    if Database(settings.resolved_database_url).current_revision() is None:
        shown = mask_url(settings.resolved_database_url)
        raise ValueError(f"{shown} has no tables yet: run `flashtutor db upgrade`")
    start_pools(settings, BATCH)  # this worker grades batches in its own checking processes
    runtime = open_runtime(settings, streams, flags, model_path=model_path, slots=slots)
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
