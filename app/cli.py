"""The ``flashtutor`` command line: a thin shell over the services and the model."""

from __future__ import annotations

import os
from pathlib import Path

import click

from app.settings import get_settings

# New tokens per answer when --max-new-tokens is not given: what each device writes in about a minute.
CPU_TOKEN_BUDGET = 256
GPU_TOKEN_BUDGET = 1024


@click.group()
@click.version_option(package_name="flashtutor")
def main() -> None:
    """FlashTutor: a self-hostable math tutor."""


def _warn_if_root(settings) -> None:
    """A deployment running as root turns any hole into the whole machine; say so (not for a local try)."""
    if os.geteuid() == 0 and not settings.is_embedded_default:
        click.echo(
            "WARNING: FlashTutor is running as root. Run it as a dedicated unprivileged user "
            "(see 'Deployment' in the README).",
            err=True,
        )


@main.command("settings")
def show_settings() -> None:
    """Print the effective settings (secrets masked)."""
    for name, value in get_settings().shown().items():
        click.echo(f"{name} = {value}")


@main.command("worker")
@click.option("--queues", default="interactive,batch", show_default=True, help="Queues, comma-separated.")
@click.option(
    "--model", "model_path", type=Path, default=None,
    help="Checkpoint folder or a Hub id in the local cache; default: FLASHTUTOR_MODEL_PATH. Without one, "
    "only batch grading is served.",
)  # fmt: skip
@click.option("--concurrency", default=64, show_default=True, help="Tasks at once; one engine.")
@click.option("--slots", default=16, show_default=True, help="Sequences the engine decodes together.")
@click.option("--namespace", default="flashtutor", show_default=True, help="Prefix of every Redis key.")
def worker(queues: str, model_path: Path | None, concurrency: int, slots: int, namespace: str) -> None:
    """Serve the model from this process (one per GPU) to the web side over Celery and Redis."""
    from app.assembly import run_worker

    _warn_if_root(get_settings())
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
    """Grade a CSV/JSONL of learner answers (columns: learner, problem, answer, expected; optional form,
    such as simplified, factored, solved:x or decimal:2)."""
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
    from app.assembly import celery_client, run_job_here
    from app.contract import QueueUnavailable
    from app.services import assessment

    settings = get_settings()
    if settings.broker_url:
        try:
            celery_client(settings.broker_url).submit_assessment(job_id)
        except QueueUnavailable as error:
            click.echo(f"job {job_id} is saved, but {error}; a worker starts it once the queue is back")
            return
        click.echo(f"job {job_id} queued; follow it with `flashtutor assess status {job_id}`")
        return
    try:
        progress = run_job_here(settings, job_id, database)
    except Exception as error:
        raise click.ClickException(f"job {job_id} failed: {error}") from error
    _echo_progress(progress)
    click.echo(f"results: {assessment.results_path(settings.results_dir, job_id)}")


def _echo_progress(progress) -> None:
    error = f", error: {progress.error}" if progress.error else ""
    click.echo(
        f"job {progress.job_id} ({progress.kind}): {progress.status}, "
        f"{progress.done}/{progress.total} graded, score {progress.score:.3f}{error}"
    )


@main.command("serve")
@click.option("--host", default=None, help="Address to listen on (default: the FLASHTUTOR_HOST setting).")
@click.option("--port", type=int, default=None, help="Port to listen on (default: FLASHTUTOR_PORT).")
@click.option("--broker", default=None, help="Redis URL of the worker pool (default: in-process worker).")
def serve(host: str | None, port: int | None, broker: str | None) -> None:
    """Start the web app: login, student, teacher and admin pages, and the HTTP API."""
    import uvicorn

    from app.web.factory import serve_app

    settings = get_settings()
    if broker:
        settings = settings.model_copy(update={"broker_url": broker})
    if host:
        settings = settings.model_copy(update={"host": host})
    _warn_if_root(settings)
    app = serve_app(settings, announce=click.echo)
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info")


@main.group("db")
def db_group() -> None:
    """The database: apply or undo migrations."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Migrate up to this revision.")
def db_upgrade(revision: str) -> None:
    """Apply migrations, then create the first admin account if there is none."""
    from app.services.users import ensure_first_admin

    settings = get_settings()
    database = _open_database()
    _service_call(lambda: database.upgrade(revision))
    click.echo(f"database at revision {database.current_revision()}")
    password = settings.admin_password_value
    generated = _service_call(lambda: ensure_first_admin(database, password=password))
    if generated:
        click.echo(f"created the first admin account: username 'admin', password {generated!r} (shown once)")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION ('base' empties the database)."""
    database = _open_database()
    _service_call(lambda: database.downgrade(revision))
    click.echo(f"database at revision {database.current_revision()}")


@db_group.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    click.echo(_open_database().current_revision() or "empty (no migrations applied)")


@main.group("users")
def users_group() -> None:
    """Accounts: create and list users, reset a password, import a class roster."""


@users_group.command("create")
@click.option("--username", required=True)
@click.option(
    "--role", type=click.Choice(["student", "teacher", "admin"]), default="student", show_default=True
)
@click.option("--display-name", default="", help="Name shown in the app (default: the username).")
@click.password_option(help="Prompted for (twice) when not given.")
def users_create(username: str, role: str, display_name: str, password: str) -> None:
    """Create an account."""
    from app.services.users import create_user

    database = _migrated_database()
    user = _service_call(
        lambda: create_user(
            database, username=username, display_name=display_name, role=role, password=password
        )
    )
    click.echo(f"created {user.role} {user.username!r} (id {user.id})")


@users_group.command("list")
@click.option("--role", type=click.Choice(["student", "teacher", "admin"]), default=None)
def users_list(role: str | None) -> None:
    """List accounts."""
    from app.services.users import list_users

    for user in _service_call(lambda: list_users(_migrated_database(), role=role)):
        state = "" if user.is_active else " (disabled)"
        click.echo(f"{user.id}\t{user.username}\t{user.role}\t{user.display_name}{state}")


@users_group.command("reset-password")
@click.argument("username")
@click.option("--password", default=None, help="The new password; default: a generated one, printed once.")
def users_reset_password(username: str, password: str | None) -> None:
    """Give USERNAME a new password and sign them out everywhere."""
    from app.services.credentials import reset_password_by_username

    database = _migrated_database()
    card = _service_call(
        lambda: reset_password_by_username(database, username=username, new_password=password)
    )
    shown = "the password you gave" if password else f"new password: {card.password}"
    click.echo(f"{card.username}: {shown} (signed out everywhere)")


@users_group.command("import-roster")
@click.argument("class_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def users_import_roster(class_id: int, path: Path) -> None:
    """Create and enroll the students listed in a CSV (username, display_name, password)."""
    from app.roster import import_roster

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(
            f"{path} is not UTF-8 text; save the roster as 'CSV UTF-8' and try again"
        ) from None
    result = _service_call(lambda: import_roster(_migrated_database(), class_id=class_id, csv_text=text))
    for student in result.created:
        password = f"password {student.password}" if student.password else "password from the CSV"
        click.echo(f"created {student.username}: {password}")
    click.echo(
        f"{len(result.created)} created, {len(result.enrolled)} enrolled, "
        f"{len(result.already_enrolled)} already in the class"
    )


def _open_database():
    from app.db import Database, DatabaseURLError

    try:
        return Database(get_settings().resolved_database_url)
    except DatabaseURLError as error:
        raise click.ClickException(str(error)) from error


def _migrated_database():
    database = _open_database()
    _service_call(database.upgrade)
    return database


def _service_call(action):
    """Run a service call, turning the errors a user can fix into a clean message and exit status 1."""
    from alembic.util import CommandError
    from sqlalchemy.exc import OperationalError

    from app.services.errors import ServiceError

    try:
        return action()
    except (ServiceError, CommandError) as error:
        raise click.ClickException(str(error)) from error
    except OperationalError as error:
        raise click.ClickException(f"cannot reach the database: {error.orig}") from error


@main.command("generate")
@click.option(
    "--model", "model_path", required=True, type=Path,
    help="Checkpoint folder (config.json, safetensors, tokenizer files), or a Hub id in the local cache.",
)  # fmt: skip
@click.option(
    "--max-new-tokens", default=None, type=click.IntRange(min=1),
    help=f"Default: {CPU_TOKEN_BUDGET} on a CPU (about a minute at 4 tokens/s), {GPU_TOKEN_BUDGET} on a GPU.",
)  # fmt: skip
@click.option("--temperature", default=0.6, show_default=True, type=click.FloatRange(min=0), help="0: greedy")
@click.option("--top-p", default=0.95, show_default=True, type=click.FloatRange(0, 1, min_open=True))
@click.option("--seed", default=None, type=int, help="Makes sampling reproducible.")
@click.option("--device", default="auto", show_default=True, help="'auto', 'cpu', 'cuda' or 'cuda:N'.")
@click.option(
    "--dtype", default="auto", type=click.Choice(["auto", "bfloat16", "float32"]), help="auto: bfloat16."
)  # fmt: skip
@click.option("--quantize", type=click.Choice(["int8"]), default=None, help="Weight-only int8 (CPU only).")
@click.argument("prompt")
def generate(model_path: Path, max_new_tokens: int | None, temperature: float, top_p: float, seed: int | None,
             device: str, dtype: str, quantize: str | None, prompt: str) -> None:  # fmt: skip
    """Stream the model's answer to PROMPT, sent as one user message in the chat template."""
    from app.worker.host import resolve_device
    from model import load_model, load_tokenizer
    from model.hub import resolve_checkpoint
    from model.kernels import native

    try:
        model_path = resolve_checkpoint(model_path)
        device_name, torch_dtype = resolve_device(device, dtype)
        native.enable(get_settings().native_kernels)
        model = load_model(model_path, device_name, torch_dtype, quantize=quantize)
        if max_new_tokens is None:
            max_new_tokens = CPU_TOKEN_BUDGET if device_name == "cpu" else GPU_TOKEN_BUDGET
        tokenizer = load_tokenizer(model_path)
        ids = tokenizer.apply_chat_template([{"role": "user", "content": prompt}])
        pieces = model.generate_stream(
            ids, max_new_tokens=max_new_tokens, temperature=temperature, top_p=top_p, seed=seed,
            stop_token_ids=(*model.config.stop_token_ids, *tokenizer.eos_token_ids), tokenizer=tokenizer,
        )  # fmt: skip
        for piece in pieces:
            click.echo(piece.text, nl=False)
    except (ValueError, RuntimeError) as error:
        raise click.ClickException(str(error)) from error
    click.echo()


@main.group("model")
def model_group() -> None:
    """The model's checkpoint: fetch it once into the local Hugging Face cache."""


@model_group.command("pull")
@click.argument("repo_id", default="microsoft/Phi-4-mini-flash-reasoning")
@click.option("--revision", default=None, help="A branch, tag or commit; default: main.")
def model_pull(repo_id: str, revision: str | None) -> None:
    """Download REPO_ID into the Hugging Face cache (resumable) and check its files against the index.

    Afterwards FLASHTUTOR_MODEL_PATH=REPO_ID (or --model REPO_ID) finds it offline."""
    from model.hub import pull
    from model.loader import CheckpointError

    try:
        folder = pull(repo_id, revision=revision)
    except CheckpointError as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:  # network and disk failures from huggingface_hub
        raise click.ClickException(f"could not download {repo_id}: {error}") from error
    click.echo(f"{repo_id} is ready in {folder}")
