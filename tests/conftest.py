"""Shared fixtures: paths to the shared fixtures and access to the real local servers.

Tests that need PostgreSQL or Redis use the real servers on this machine. Without them the tests are
skipped, except when ``CI=true``: then a missing server fails the run.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("FLASHTUTOR_SHARED", ROOT.parent / "shared"))
TINY_MODEL = SHARED / "fixtures" / "sambay-tiny"
DATA = SHARED / "data"

POSTGRES_URL = os.environ.get("FLASHTUTOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("FLASHTUTOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def _require_server(name: str, host: str, port: int) -> None:
    if _reachable(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if IN_CI:
        pytest.fail(f"{message}; CI=true requires it")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    _require_server("PostgreSQL", "127.0.0.1", 5432)
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    _require_server("Redis", "127.0.0.1", 6379)
    return REDIS_URL


@pytest.fixture(scope="session")
def tiny_model_path() -> Path:
    if not (TINY_MODEL / "config.json").exists():
        pytest.fail(f"shared fixture missing: {TINY_MODEL}")
    return TINY_MODEL
