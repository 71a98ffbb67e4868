"""A real FlashTutor stack on this machine, as subprocesses: a private Redis, a scratch PostgreSQL
database, Celery workers and the web server.

Shared by the load benchmark (``bench/load.py``) and the fault tests (``tests/faults``). Everything
listens on loopback only, and every process is ours, so a test may kill or restart any of them without
touching the Redis and PostgreSQL servers other people use.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

FLASHTUTOR = Path(sys.executable).with_name("flashtutor")


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check: Callable[[], bool], *, timeout_s: float, what: str, interval_s: float = 0.2) -> None:
    """Poll ``check`` until it is true; raise TimeoutError naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # a service still starting answers with errors; keep polling until the deadline
            pass
        time.sleep(interval_s)
    raise TimeoutError(f"{what} did not happen within {timeout_s:.0f} s")


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class RedisServer:
    """A throwaway redis-server on a free port, with no persistence: stop and start it at will."""

    def __init__(self, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no"]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: port_open(self.port), timeout_s=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        """Kill it outright (as a crash would): every key is gone when it comes back."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on ``server_url``'s server, dropped afterwards; yields its URL."""
    name = f"flashtutor_stack_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Service:
    """One ``flashtutor`` subprocess (worker or web server), its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [str(FLASHTUTOR), *args], env=env, cwd=log_path.parent, stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill reaches Celery's threads too
        )  # fmt: skip

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Ask politely, then insist."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


class Stack:
    """The processes of one deployment sharing a database, a broker and a data directory."""

    def __init__(self, data_dir: Path, database_url: str, broker_url: str) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.broker_url = broker_url
        self.services: list[Service] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLASHTUTOR_")}
        env.update(
            FLASHTUTOR_DATA_DIR=str(self.data_dir), FLASHTUTOR_DATABASE_URL=self.database_url,
            FLASHTUTOR_BROKER_URL=self.broker_url, FLASHTUTOR_DEVICE="cpu", FLASHTUTOR_DTYPE="float32",
            PYTHONUNBUFFERED="1", **extra,
        )  # fmt: skip
        return env

    def migrate(self) -> None:
        subprocess.run([str(FLASHTUTOR), "db", "upgrade"], env=self.env(), cwd=self.data_dir, check=True,
                       capture_output=True, timeout=120)  # fmt: skip

    def start_worker(self, model_path: Path | None, *, queues: str = "interactive,batch",
                     concurrency: int = 16, slots: int = 8, **settings: str) -> Service:  # fmt: skip
        args = ["worker", "--queues", queues, "--concurrency", str(concurrency), "--slots", str(slots)]
        if model_path is not None:
            args += ["--model", str(model_path)]
        return self._start(f"worker-{len(self.services)}", args, self.env(**settings))

    def start_web(self, port: int, **settings: str) -> Service:
        return self._start("web", ["serve", "--host", "127.0.0.1", "--port", str(port)], self.env(**settings))

    def _start(self, name: str, args: list[str], env: dict[str, str]) -> Service:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        service = Service(name, args, env, self.data_dir / f"{name}.log")
        self.services.append(service)
        return service

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()
