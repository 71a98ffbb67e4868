"""The worker's tasks: thin shells over the engine host and the assessment service.

Each task is a plain function of the runtime and JSON arguments; the Celery tasks below wrap the
same functions, so the embedded worker and a Celery worker run exactly the same code.

This is the one module of the worker package that calls a service: a worker runs the services'
batch jobs. The services never import the worker; they see it through ``app.contract``.
"""

from __future__ import annotations

from dataclasses import asdict

from app.contract import GenerationRequest, WorkerError
from app.services import assessment
from app.worker.celery_app import celery_app
from app.worker.runtime import WorkerRuntime, current_runtime


def generate(runtime: WorkerRuntime, request: dict) -> dict:
    """Generate one reply, streaming it; failures reach the reader as the stream's end event."""
    try:
        return asdict(runtime.generate(GenerationRequest.from_dict(request)))
    except WorkerError as error:
        return {"request_id": request["request_id"], "error": str(error)}


def run_assessment(runtime: WorkerRuntime, job_id: int) -> assessment.JobProgress:
    """Run (or resume) an assessment job with this runtime's model, if it has one."""
    return assessment.run_job(
        runtime.database,
        job_id,
        generate=runtime.generate if runtime.host is not None else None,
        flags=runtime.flags,
        owner=runtime.worker_id,
        results_dir=runtime.results_dir,
    )


def assess(runtime: WorkerRuntime, job_id: int) -> dict:
    """Run (or resume) an assessment job; a job another worker holds is left to it."""
    return asdict(run_assessment(runtime, job_id))


TASKS = {"generate": generate, "assess": assess}


@celery_app.task(name="flashtutor.generate")
def generate_task(request: dict) -> dict:
    return generate(current_runtime(), request)


@celery_app.task(name="flashtutor.assess", bind=True, max_retries=None)
def assess_task(self, job_id: int) -> dict:
    progress = assess(current_runtime(), job_id)
    if progress["status"] in ("queued", "running"):  # another worker holds it, or held it before dying
        raise self.retry(countdown=assessment.LEASE_TTL_S / 2)
    return progress
