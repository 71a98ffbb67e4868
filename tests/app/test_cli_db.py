"""The `flashtutor db` and `flashtutor users` commands, from any directory, against a real database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from app.settings import get_settings


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)  # no alembic.ini here: migrations must come from the package
    monkeypatch.setenv("FLASHTUTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("FLASHTUTOR_DATABASE_URL", raising=False)
    monkeypatch.delenv("FLASHTUTOR_ADMIN_PASSWORD", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_upgrade_creates_the_first_admin_once(runner: CliRunner, tmp_path: Path) -> None:
    first = runner.invoke(main, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert "created the first admin account" in first.output
    assert (tmp_path / "data" / "flashtutor.db").exists()
    second = runner.invoke(main, ["db", "upgrade"])
    assert second.exit_code == 0 and "first admin" not in second.output
    assert runner.invoke(main, ["db", "downgrade", "base"]).exit_code == 0
    assert "empty" in runner.invoke(main, ["db", "current"]).output


def test_users_create_and_list(runner: CliRunner) -> None:
    created = runner.invoke(
        main, ["users", "create", "--username", "Grace", "--role", "teacher", "--password", "hopper1906"]
    )
    assert created.exit_code == 0, created.output
    assert "created teacher 'grace'" in created.output
    listed = runner.invoke(main, ["users", "list", "--role", "teacher"])
    assert "grace\tteacher" in listed.output


def test_users_create_explains_bad_input(runner: CliRunner) -> None:
    weak = runner.invoke(main, ["users", "create", "--username", "grace", "--password", "short"])
    assert weak.exit_code == 1 and "at least 8 characters" in weak.output
    runner.invoke(main, ["users", "create", "--username", "grace", "--password", "long enough"])
    taken = runner.invoke(main, ["users", "create", "--username", "grace", "--password", "long enough"])
    assert taken.exit_code == 1 and "already taken" in taken.output


def test_import_roster_refuses_a_file_that_is_not_utf8(runner: CliRunner, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes("username,display_name\nzoë,Zoë\n".encode("utf-16"))
    result = runner.invoke(main, ["users", "import-roster", "1", str(roster)])
    assert result.exit_code == 1
    assert "not UTF-8 text" in result.output and "Traceback" not in result.output


def test_users_reset_password(runner: CliRunner) -> None:
    runner.invoke(main, ["users", "create", "--username", "grace", "--password", "hopper1906"])
    reset = runner.invoke(main, ["users", "reset-password", "Grace"])
    assert reset.exit_code == 0, reset.output
    password = reset.output.split("new password: ")[1].split(" ")[0]
    assert password.count("-") == 4
    chosen = runner.invoke(main, ["users", "reset-password", "grace", "--password", "cobol-1959"])
    assert chosen.exit_code == 0 and "the password you gave" in chosen.output
    missing = runner.invoke(main, ["users", "reset-password", "nobody"])
    assert missing.exit_code == 1 and "no user called 'nobody'" in missing.output
