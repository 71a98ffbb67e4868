"""The ``flashtutor`` command line: a thin shell over the services and the model."""

from __future__ import annotations

from pathlib import Path

import click

from app.settings import get_settings


@click.group()
@click.version_option(package_name="flashtutor")
def main() -> None:
    """FlashTutor: a self-hostable math tutor."""


@main.command("settings")
def show_settings() -> None:
    """Print the effective settings (secrets masked)."""
    settings = get_settings()
    for name, value in settings.model_dump().items():
        if "secret" in name and value:
            value = "***"
        click.echo(f"{name} = {value}")


@main.command("worker")
@click.option("--queues", default="interactive,batch", show_default=True, help="Queues, comma-separated.")
@click.option(
    "--model", "model_path", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
    help="Checkpoint folder; default: FLASHTUTOR_MODEL_PATH. Without one, only batch grading is served.",
)  # fmt: skip
@click.option("--concurrency", default=64, show_default=True, help="Tasks at once; one engine.")
@click.option("--slots", default=16, show_default=True, help="Sequences the engine decodes together.")
@click.option("--namespace", default="flashtutor", show_default=True, help="Prefix of every Redis key.")
def worker(queues: str, model_path: Path | None, concurrency: int, slots: int, namespace: str) -> None:
    """Serve the model from this process (one per GPU) to the web side over Celery and Redis."""
    from app.worker.celery_app import run_worker

    try:
        run_worker(
            get_settings(), queues=tuple(q.strip() for q in queues.split(",") if q.strip()),
            model_path=model_path, concurrency=concurrency, slots=slots, namespace=namespace,
        )  # fmt: skip
    except ValueError as error:
        raise click.ClickException(str(error)) from error


@main.group("assess")
def assess() -> None:
    """Batch jobs: grade learners' answers, or evaluate the model on a problem set."""


@assess.command("grade")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="A name for the job.")
def assess_grade(path: Path, name: str | None) -> None:
    """Grade a CSV/JSONL of learner answers (columns: learner, problem, answer, expected)."""
    from app.services import assessment

    database = _database()
    job_id = _job_input(lambda: assessment.create_grading_job(database, path, name=name))
    _start_job(database, job_id)


@assess.command("evaluate")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--samples", "-k", default=4, show_default=True, help="Samples per problem.")
@click.option("--max-tokens", default=4096, show_default=True, help="Tokens per sample.")
@click.option("--name", default=None, help="A name for the job.")
def assess_evaluate(path: Path, samples: int, max_tokens: int, name: str | None) -> None:
    """Evaluate the model on a problem set (JSONL with problem and answer, as MATH-500)."""
    from app.services import assessment

    settings, database = get_settings(), _database()
    job_id = _job_input(
        lambda: assessment.create_evaluation_job(
            database, path, samples=samples, max_tokens=max_tokens, temperature=settings.temperature,
            top_p=settings.top_p, name=name,
        )
    )  # fmt: skip
    _start_job(database, job_id)


@assess.command("resume")
@click.argument("job_id", type=int)
def assess_resume(job_id: int) -> None:
    """Finish a job that stopped part way; items already graded are kept, not graded again."""
    _start_job(_database(), job_id)


@assess.command("status")
@click.argument("job_id", type=int)
def assess_status(job_id: int) -> None:
    """Show a job's progress and score."""
    from app.services import assessment

    _echo_progress(_job_input(lambda: assessment.job_progress(_database(), job_id)))


def _database():
    from app.db import Database

    database = Database(get_settings().resolved_database_url)
    database.upgrade()
    return database


def _job_input(action):
    from app.services.assessment import JobInputError

    try:
        return action()
    except JobInputError as error:
        raise click.ClickException(str(error)) from error


def _start_job(database, job_id: int) -> None:
    """With a broker, queue the job for the workers; without one, run it here and now."""
    from app.services import assessment
    from app.worker.client import celery_client
    from app.worker.flags import MemoryFlags
    from app.worker.runtime import WorkerRuntime
    from app.worker.streams import MemoryStreams

    settings = get_settings()
    if settings.broker_url:
        celery_client(settings.broker_url).submit_assessment(job_id)
        click.echo(f"job {job_id} queued; follow it with `flashtutor assess status {job_id}`")
        return
    runtime = WorkerRuntime.from_settings(settings, MemoryStreams(), MemoryFlags())
    try:
        progress = assessment.run_job(
            database, job_id, generate=runtime.generate if runtime.host else None, flags=runtime.flags,
            owner=runtime.worker_id, results_dir=runtime.results_dir,
        )  # fmt: skip
    except Exception as error:
        raise click.ClickException(f"job {job_id} failed: {error}") from error
    finally:
        runtime.close()
    _echo_progress(progress)
    click.echo(f"results: {assessment.results_path(runtime.results_dir, job_id)}")


def _echo_progress(progress) -> None:
    error = f", error: {progress.error}" if progress.error else ""
    click.echo(
        f"job {progress.job_id} ({progress.kind}): {progress.status}, "
        f"{progress.done}/{progress.total} graded, score {progress.score:.3f}{error}"
    )


@main.command("serve")
@click.option("--host", default=None, help="Address to listen on (default: the FLASHTUTOR_HOST setting).")
@click.option("--port", type=int, default=None, help="Port to listen on (default: the FLASHTUTOR_PORT setting).")
@click.option("--broker", default=None, help="Redis URL of the Celery worker pool; default: an in-process worker.")
def serve(host: str | None, port: int | None, broker: str | None) -> None:
    """Start the web app: login, student, teacher and admin pages, and the HTTP API."""
    import uvicorn

    from app.web.factory import serve_app

    settings = get_settings()
    if broker:
        settings = settings.model_copy(update={"broker_url": broker})
    app = serve_app(settings, announce=click.echo)
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info")
