"""The web application: one FastAPI app serving the login page, the JSON API and three Gradio UIs.

Each role has its own Gradio Blocks under its own path (``/student``, ``/teacher``, ``/admin``), so
the page guard (``auth.guard_pages``) refuses a whole UI, its assets and its event calls by path before
Gradio runs; callbacks still look the user up again from the cookie for what they read and write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import gradio as gr
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.db import Database
from app.services.curriculum import sync_skills
from app.services.tutor_model import TutorModel
from app.services.users import ensure_first_admin
from app.settings import Settings, get_settings
from app.web import STATIC_DIR, api, openai_api
from app.web.auth import RateLimiter, guard_pages
from app.web.ui import admin, login, student, teacher
from app.web.ui.common import THEME
from app.worker.client import WorkerClient, connect

LOGIN_ATTEMPTS_PER_MINUTE = 10
# Gradio runs one call per event at a time by default; a class works at once, so allow many. Calls
# are short (a step check has a deadline) and the model calls wait on the worker pool, not a core.
CALLS_AT_ONCE_PER_EVENT = 64


def create_app(
    settings: Settings | None = None, *, db: Database | None = None, client: WorkerClient | None = None
) -> FastAPI:
    """Build the app. Without ``db`` it opens and migrates the settings' database; without ``client`` it
    connects to the worker pool (or starts the embedded worker) and stops it when the app shuts down."""
    settings = settings or get_settings()
    if db is None:
        db = Database(settings.resolved_database_url)
        db.upgrade()
    sync_skills(db)
    owns_client = client is None
    client = client or connect(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_client:
            client.close()

    app = FastAPI(
        title="FlashTutor",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        exception_handlers=api.error_handlers,
    )
    app.state.settings, app.state.db, app.state.client = settings, db, client
    app.state.model_limiter = RateLimiter(settings.model_requests_per_minute, "requests to the tutor model")
    app.state.login_limiter = RateLimiter(LOGIN_ATTEMPTS_PER_MINUTE, "sign-in attempts for this username")
    app.middleware("http")(guard_pages)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(login.router)
    app.include_router(api.router)
    app.include_router(openai_api.router)

    tutor_model = TutorModel(client, temperature=settings.temperature, top_p=settings.top_p)
    # (page, files it may serve besides Gradio's own cache): only admins download job results.
    pages = {
        "/student": (student.build(db, tutor_model, app.state.model_limiter), []),
        "/teacher": (teacher.build(db), []),
        "/admin": (admin.build(db, settings, client), [str(admin.results_dir(settings))]),
    }
    for path, (blocks, allowed_paths) in pages.items():
        blocks.queue(default_concurrency_limit=CALLS_AT_ONCE_PER_EVENT)
        gr.mount_gradio_app(
            app,
            blocks,
            path=path,
            footer_links=[],
            run_history=False,
            theme=THEME,
            css_paths=[STATIC_DIR / "flashtutor.css"],
            allowed_paths=allowed_paths,
            max_file_size="50mb",
            show_error=True,
        )
    return app


def serve_app(settings: Settings, *, announce: Callable[[str], None]) -> FastAPI:
    """The app as ``flashtutor serve`` runs it; on first start it creates the ``admin`` account and
    announces its generated password once (it is never logged or stored in clear)."""
    app = create_app(settings)
    password = ensure_first_admin(app.state.db, password=settings.admin_password)
    if password:
        announce(f"Created the first admin account. Username: admin  Password: {password}  (shown only now)")
    return app
