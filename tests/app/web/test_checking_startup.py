"""The checking pools are sized from the settings and started before the app serves its first request."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.db import Database
from app.services.checks import pool_settings
from app.settings import Settings
from app.web.factory import create_app
from tutor import checking


def test_pool_sizes_follow_the_cores_unless_set() -> None:
    default = pool_settings(Settings(), checking.INTERACTIVE)
    assert default.processes == checking.cores() and default.cpu_seconds == 3.0
    assert pool_settings(Settings(), checking.BATCH).processes == max(1, checking.cores() // 2)
    chosen = Settings(check_processes=3, batch_check_processes=2, check_cpu_seconds=1.5, check_per_user=1)
    interactive, batch = pool_settings(chosen, checking.INTERACTIVE), pool_settings(chosen, checking.BATCH)
    assert (interactive.processes, batch.processes) == (3, 2)
    assert (interactive.cpu_seconds, interactive.per_user) == (1.5, 1)


def test_the_pool_is_warm_before_the_first_request(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'tutor.db'}", device="cpu",
                        check_processes=1, batch_check_processes=1)  # fmt: skip
    db = Database(settings.resolved_database_url)
    db.upgrade()
    try:
        app = create_app(settings, db=db)
        assert checking.pool().idle() == 0  # sized, but nothing started while the app is only built
        with TestClient(app) as client:
            assert checking.pool().idle() == 1 and checking.pool(checking.BATCH).idle() == 1
            assert client.get("/health").status_code == 200
    finally:
        db.dispose()
        for name in (checking.INTERACTIVE, checking.BATCH):
            checking.configure(name, checking.default_settings(name))
