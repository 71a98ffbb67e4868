"""The web app in-process (FastAPI's TestClient) on a fresh SQLite database, with real accounts.

Two teachers, each with a class of one student, and an admin; ``login`` returns a bearer token.
Building the app takes seconds (three Gradio pages, migrations), so ``world`` is one per module and
tests must leave it usable for the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.db import Database
from app.services.classes import create_class, enroll_student
from app.services.users import create_user
from app.settings import Settings
from app.web.factory import create_app
from app.worker.client import WorkerClient

PASSWORD = "correct-horse-battery"


@dataclass(frozen=True)
class World:
    client: TestClient
    db: Database
    ids: dict[str, int]  # username or class name -> id
    password: str = PASSWORD  # every account's

    def login(self, username: str) -> str:
        response = self.client.post("/api/login", json={"username": username, "password": self.password})
        assert response.status_code == 200, response.text
        return response.json()["token"]

    def as_user(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.login(username)}"}


def web_settings(data_dir: Path, **overrides) -> Settings:
    return Settings(
        data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'tutor.db'}", device="cpu", dtype="float32",
        **overrides,
    )  # fmt: skip


@contextmanager
def running_world(data_dir: Path, client: WorkerClient | None = None, **overrides) -> Iterator[World]:
    """The app on these settings; ``client``: its worker client (default: the one the settings make)."""
    settings = web_settings(data_dir, **overrides)
    db = Database(settings.resolved_database_url)
    db.upgrade()
    ids: dict[str, int] = {}
    accounts = {"ada": "student", "bob": "student", "tess": "teacher", "tom": "teacher", "root": "admin"}
    for username, role in accounts.items():
        ids[username] = create_user(
            db, username=username, display_name=username, role=role, password=PASSWORD
        ).id
    for name, teacher, student in [("Algebra", "tess", "ada"), ("Geometry", "tom", "bob")]:
        ids[name] = create_class(db, teacher_id=ids[teacher], name=name).id
        enroll_student(db, class_id=ids[name], student_id=ids[student])
    with TestClient(create_app(settings, db=db, client=client)) as http:
        yield World(http, db, ids)
    db.dispose()


@pytest.fixture(scope="module")
def make_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., World]]:
    """Start an app with settings overridden as given (e.g. a model path, a rate limit), or with a
    worker ``client=`` of its own (a scripted model)."""
    with ExitStack() as stack:

        def make(**overrides) -> World:
            return stack.enter_context(running_world(tmp_path_factory.mktemp("web"), **overrides))

        yield make


@pytest.fixture(scope="module")
def world(make_world: Callable[..., World]) -> World:
    """The app without a model (the embedded worker has nothing to serve)."""
    return make_world()
