"""A real server and a real Chromium for the browser tests.

The server is ``flashtutor serve`` started as a subprocess on a free local port with its own data
directory; accounts are created beforehand through the services, on the same SQLite database.
Chromium is Debian's (``apt-get install chromium``); Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from app.db import Database
from app.services.assignments import create_assignment
from app.services.classes import create_class, enroll_student
from app.services.curriculum import sync_skills
from app.services.users import create_user

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("FLASHTUTOR_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery"
START_TIMEOUT_S = 90.0


@dataclass(frozen=True)
class Server:
    url: str
    data_dir: Path
    db_url: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/ready", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server was not ready after {START_TIMEOUT_S:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("flashtutor-data")
    db_url = f"sqlite:///{data_dir / 'flashtutor.db'}"
    database = Database(db_url)
    database.upgrade()
    sync_skills(database)
    ids = {
        username: create_user(
            database, username=username, display_name=username.title(), role=role, password=PASSWORD
        ).id
        for username, role in (("ada", "student"), ("grace", "teacher"), ("root", "admin"))
    }
    algebra = create_class(database, teacher_id=ids["grace"], name="Algebra 1").id
    enroll_student(database, class_id=algebra, student_id=ids["ada"])
    create_assignment(
        database, teacher_id=ids["grace"], class_id=algebra, title="Two-step equations",
        skill_id="linear_two_step", difficulty=1, problem_count=3, due_at=None,
    )  # fmt: skip
    database.dispose()

    port = _free_port()
    env = {**os.environ, "FLASHTUTOR_DATA_DIR": str(data_dir), "FLASHTUTOR_MODEL_REQUESTS_PER_MINUTE": "100",
           "FLASHTUTOR_DASHBOARD_REFRESH_SECONDS": "3", "FLASHTUTOR_TIMEZONE": "Europe/Berlin"}  # fmt: skip
    env.pop("FLASHTUTOR_DATABASE_URL", None)
    env.pop("FLASHTUTOR_BROKER_URL", None)
    log = data_dir / "server.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "flashtutor"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process, log)
        yield Server(url, data_dir, db_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    expect.set_options(timeout=20_000)  # the server shares two CPU cores with the browser
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install it with `apt-get install chromium`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, server: Server):
    """Open pages in fresh browser contexts (separate cookies), desktop size unless told otherwise.

    Every page is watched for Content-Security-Policy violations: the test fails on any, so a policy
    that blocks something a page needs (or a page that starts needing more) shows up here.
    """
    contexts = []
    violations: list[str] = []

    def watch(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def open_page(width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=server.url)
        context.set_default_timeout(20_000)
        context.on("console", watch)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    assert violations == [], "the Content-Security-Policy blocked something:\n" + "\n".join(violations)


@pytest.fixture
def sign_in():
    def sign_in(page, username: str, password: str = PASSWORD) -> None:
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button[type=submit]")

    return sign_in


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under test-artifacts/browser/ (for people to look at)."""

    def screenshot(page, name: str) -> Path:
        # Settled first: a shot taken mid-update shows loading overlays and half-closed menus. The
        # pause lets an update that the last click started show its overlay before we wait it out.
        page.wait_for_timeout(400)
        expect(page.get_by_text(re.compile(r"queue: \d+/\d+"))).to_have_count(0)
        expect(page.get_by_role("option")).to_have_count(0)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return screenshot
