"""Secrets in the clear, replayed: the settings command, error messages and the public /ready must not
show the admin password or a password inside the database or broker URL."""

from __future__ import annotations

from click.testing import CliRunner

from app.cli import main
from app.settings import get_settings, mask_url

ADMIN_SECRET = "admin-Secret-1234"
DB_SECRET = "db-Secret-5678"
BROKER_SECRET = "broker-Secret-9012"


def test_flashtutor_settings_masks_every_secret(monkeypatch) -> None:
    monkeypatch.setenv("FLASHTUTOR_ADMIN_PASSWORD", ADMIN_SECRET)
    monkeypatch.setenv("FLASHTUTOR_DATABASE_URL", f"postgresql+psycopg://tutor:{DB_SECRET}@db.internal:5432/tutor")
    monkeypatch.setenv("FLASHTUTOR_BROKER_URL", f"redis://:{BROKER_SECRET}@redis.internal:6379/0")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["settings"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    for secret in (ADMIN_SECRET, DB_SECRET, BROKER_SECRET):
        assert secret not in result.output
    assert "admin_password = ***" in result.output
    assert "database_url = postgresql+psycopg://tutor:***@db.internal:5432/tutor" in result.output
    assert "broker_url = redis://:***@redis.internal:6379/0" in result.output


def test_a_url_keeps_everything_but_its_password() -> None:
    assert mask_url("sqlite:////srv/flashtutor/tutor.db") == "sqlite:////srv/flashtutor/tutor.db"
    assert mask_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert mask_url("postgresql://u:p%40ss@h/db") == "postgresql://u:***@h/db"
    assert mask_url("http://[not a url") == "***"


def test_ready_says_only_ok_and_the_details_are_for_admins(world) -> None:
    ready = world.client.get("/ready")
    assert ready.status_code == 200 and ready.json() == {"status": "ok"}
    assert world.client.get("/api/admin/status").status_code == 401
    assert world.client.get("/api/admin/status", headers=world.headers("tess")).status_code == 403
    status = world.client.get("/api/admin/status", headers=world.headers("root")).json()
    assert status["status"] == "ok" and "database" in status and "model_workers" in status
