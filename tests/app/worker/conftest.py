"""Worker fixtures: the embedded worker and a real `flashtutor worker` process, both on the tiny model.

The Celery worker runs as a subprocess against the real Redis, with its own key namespace and its
own SQLite database, so tests can kill -9 it and start it again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.assembly import celery_client, embedded_client
from app.db import Database
from app.settings import Settings
from app.worker.client import WorkerClient

ROOT = Path(__file__).resolve().parents[3]


def subprocess_env(**variables: str) -> dict[str, str]:
    """This environment plus ``variables``, importing this checkout's code first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASHTUTOR_")}
    return {**env, "PYTHONPATH": str(ROOT), **variables}


def wait_for(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.05)


class WorkerProcess:
    """A `flashtutor worker` subprocess that can be killed and started again."""

    def __init__(self, env: dict[str, str], args: list[str], data_dir: Path) -> None:
        self.env, self.args, self.data_dir = env, args, data_dir
        self.log = data_dir / "worker.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).parent / "flashtutor"), "worker", *self.args],
                env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def kill(self) -> None:
        """kill -9: no cleanup, no acknowledgements, exactly like a crashed machine."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def worker_settings(data_dir: Path, model_path: Path | None, **overrides) -> Settings:
    return Settings(
        data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'tutor.db'}", model_path=model_path,
        device="cpu", dtype="float32", **overrides,
    )  # fmt: skip


@pytest.fixture(scope="module")
def embedded(tiny_model_path, tmp_path_factory) -> Iterator[WorkerClient]:
    settings = worker_settings(tmp_path_factory.mktemp("embedded"), tiny_model_path)
    client = embedded_client(settings, threads=48)
    wait_for(lambda: client.workers(), 10, "the embedded worker's heartbeat")
    yield client
    client.close()


@pytest.fixture(scope="module")
def celery_worker(redis_url, tiny_model_path, tmp_path_factory) -> Iterator[tuple]:
    data_dir = tmp_path_factory.mktemp("celery")
    namespace = f"test-{uuid.uuid4().hex}"
    env = subprocess_env(
        FLASHTUTOR_BROKER_URL=redis_url,
        FLASHTUTOR_DATA_DIR=str(data_dir),
        FLASHTUTOR_DATABASE_URL=f"sqlite:///{data_dir / 'tutor.db'}",
        FLASHTUTOR_DEVICE="cpu",
        FLASHTUTOR_DTYPE="float32",
    )
    Database(f"sqlite:///{data_dir / 'tutor.db'}").upgrade()
    args = ["--model", str(tiny_model_path), "--namespace", namespace, "--concurrency", "48", "--slots", "16"]
    worker = WorkerProcess(env, args, data_dir)
    client = celery_client(redis_url, namespace)
    worker.start()
    try:
        wait_for(lambda: client.workers(), 60, f"the worker's heartbeat (log: {worker.log})")
        yield client, worker
    finally:
        worker.stop()


@pytest.fixture(name="wait_for")
def wait_for_fixture():
    return wait_for


@pytest.fixture(name="subprocess_env")
def subprocess_env_fixture():
    return subprocess_env


@pytest.fixture(name="worker_settings")
def worker_settings_fixture():
    return worker_settings


@pytest.fixture(params=["embedded", pytest.param("celery", marks=pytest.mark.redis)])
def client(request) -> WorkerClient:
    """The same client interface over the embedded worker and over a real Celery worker process."""
    if request.param == "embedded":
        return request.getfixturevalue("embedded")
    return request.getfixturevalue("celery_worker")[0]
