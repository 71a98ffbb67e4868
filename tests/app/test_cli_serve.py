"""``flashtutor serve`` and ``worker`` warn when a deployment runs as root (a local try-out on the
embedded default is left alone)."""

from __future__ import annotations

import pytest
import uvicorn
from click.testing import CliRunner

import app.web.factory
from app import cli
from app.settings import get_settings

WARNING = "running as root"


@pytest.fixture
def serve_without_serving(monkeypatch, tmp_path):
    """``serve`` up to the point where it would listen, on a throwaway data dir."""
    monkeypatch.setenv("FLASHTUTOR_DATA_DIR", str(tmp_path))
    for name in ("FLASHTUTOR_DATABASE_URL", "FLASHTUTOR_BROKER_URL", "FLASHTUTOR_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(app.web.factory, "serve_app", lambda settings, announce: None)
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("euid", "args", "warned"),
    [
        (0, ["--host", "0.0.0.0"], True),  # root, reachable from the network
        (0, ["--broker", "redis://127.0.0.1:6379/0"], True),  # root, part of a worker pool
        (0, [], False),  # root trying the embedded default on loopback
        (1000, ["--host", "0.0.0.0"], False),  # a dedicated user
    ],
)
def test_serve_warns_when_a_deployment_runs_as_root(serve_without_serving, monkeypatch, euid, args, warned):
    monkeypatch.setattr(cli.os, "geteuid", lambda: euid)
    result = CliRunner().invoke(cli.main, ["serve", *args])
    assert result.exit_code == 0, result.output
    assert (WARNING in result.stderr) is warned
