"""The web app in-process on a fresh SQLite database, with one account of each role and their ids.

``ada`` (student) is in ``tess``'s (teacher) class Algebra; ``root`` is the admin. Building the app takes
seconds, so the world is one per module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from app.db import Database
from app.services.classes import create_class, enroll_student
from app.services.users import create_user
from app.settings import Settings
from app.web.factory import create_app

PASSWORD = "correct-horse-battery"
ACCOUNTS = {"ada": "student", "tess": "teacher", "root": "admin"}


@dataclass(frozen=True)
class World:
    client: TestClient
    db: Database
    settings: Settings
    ids: dict[str, int]

    def token(self, username: str) -> str:
        response = self.client.post("/api/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return response.json()["token"]

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("access")
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'tutor.db'}", device="cpu")
    db = Database(settings.resolved_database_url)
    db.upgrade()
    ids = {
        name: create_user(db, username=name, display_name=name, role=role, password=PASSWORD).id
        for name, role in ACCOUNTS.items()
    }
    ids["Algebra"] = create_class(db, teacher_id=ids["tess"], name="Algebra").id
    enroll_student(db, class_id=ids["Algebra"], student_id=ids["ada"])
    with TestClient(create_app(settings, db=db), base_url="https://testserver") as client:
        yield World(client, db, settings, ids)
    db.dispose()
