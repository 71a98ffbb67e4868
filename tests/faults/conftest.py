"""Fault-injection fixtures: a private Redis to kill, a proxy in front of PostgreSQL to cut, a scratch
database, and ``flashtutor`` worker subprocesses (the same helpers as ``bench/load.py``).

The shared Redis and PostgreSQL servers are never stopped: faults happen only to processes and sockets
these fixtures own, on loopback.
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from app.db import Database
from app.services.users import create_user
from app.settings import Settings
from app.web.factory import create_app
from bench import stack

PASSWORD = "fault-test-password"
IN_CI = os.environ.get("CI", "").lower() == "true"


class PostgresProxy:
    """A TCP relay on a free loopback port; ``cut()`` drops every connection and refuses new ones until
    ``restore()``, as a network outage between the app and its database would."""

    def __init__(self, target_port: int = 5432) -> None:
        self.target_port = target_port
        self.port = stack.free_port()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._cut = threading.Event()
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, database_url: str) -> str:
        through_proxy = make_url(database_url).set(host="127.0.0.1", port=self.port)
        return through_proxy.render_as_string(hide_password=False)

    def cut(self) -> None:
        self._cut.set()
        with self._lock:
            for connection in self._open:
                connection.close()
            self._open.clear()

    def restore(self) -> None:
        self._cut.clear()

    def close(self) -> None:
        self._closed.set()
        self.cut()
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._cut.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                end.close()
            with self._lock:
                self._open -= {source, sink}


@pytest.fixture
def grading_file(tmp_path: Path) -> Callable[[list[str]], Path]:
    """Write a grading CSV in which learner ``l<i>`` answered ``answers[i]`` to "Solve 2x = 4"."""

    def write(answers: list[str]) -> Path:
        rows = tmp_path / "answers.csv"
        with rows.open("w", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(["learner", "problem", "answer", "expected"])
            writer.writerows([f"l{i}", "Solve 2x = 4", answer, "x = 2"] for i, answer in enumerate(answers))
        return rows

    return write


@pytest.fixture
def wait_for() -> Callable[..., None]:
    """``wait_for(check, timeout_s=..., what=...)``: poll until true, or fail naming what did not happen."""
    return stack.wait_for


@pytest.fixture
def redis_server() -> Iterator[stack.RedisServer]:
    if shutil.which("redis-server") is None:
        if IN_CI:
            pytest.fail("redis-server is not installed; CI needs it for the fault tests")
        pytest.skip("redis-server is not installed")
    server = stack.RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def database_url(postgres_url: str) -> Iterator[str]:
    """A migrated scratch PostgreSQL database of this test."""
    with stack.scratch_database(postgres_url) as url:
        db = Database(url)
        db.upgrade()
        db.dispose()
        yield url


@pytest.fixture
def pg_proxy() -> Iterator[PostgresProxy]:
    proxy = PostgresProxy()
    yield proxy
    proxy.close()


@pytest.fixture
def processes(tmp_path: Path, database_url: str, redis_server) -> Iterator[stack.Stack]:
    """Worker subprocesses on this test's database and Redis; all stopped afterwards."""
    processes = stack.Stack(tmp_path, database_url, redis_server.url)
    yield processes
    processes.stop()


@pytest.fixture
def open_web(tmp_path: Path) -> Iterator[Callable[..., tuple[TestClient, dict[str, str]]]]:
    """Open the web app in-process on a database (and broker); returns it and a student's auth headers."""
    with ExitStack() as stack_of_apps:

        def open_app(database_url: str, broker_url: str | None = None) -> tuple[TestClient, dict[str, str]]:
            settings = Settings(data_dir=tmp_path, database_url=database_url, broker_url=broker_url,
                                device="cpu", model_requests_per_minute=1000)  # fmt: skip
            db = Database(database_url)
            stack_of_apps.callback(db.dispose)
            create_user(db, username="ada", display_name="Ada", role="student", password=PASSWORD)
            client = stack_of_apps.enter_context(TestClient(create_app(settings, db=db)))
            response = client.post("/api/login", json={"username": "ada", "password": PASSWORD})
            assert response.status_code == 200, response.text
            return client, {"Authorization": f"Bearer {response.json()['token']}"}

        yield open_app
