"""The web application: one FastAPI app serving the login page, the JSON API and three Gradio UIs.

Each role has its own Gradio Blocks under its own path (``/student``, ``/teacher``, ``/admin``), so
the page guard (``auth.guard_pages``) refuses a whole UI, its assets and its event calls by path before
Gradio runs; callbacks still look the user up again from the cookie for what they read and write.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import gradio as gr
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.routing import Mount

from app.assembly import connect
from app.db import Database
from app.services.checks import start_pools
from app.services.curriculum import sync_skills
from app.services.tutor_model import TutorModel
from app.services.users import ensure_first_admin
from app.settings import Settings, get_settings
from app.web import STATIC_DIR, accounts, api, openai_api
from app.web.auth import SESSION_COOKIE, guard_pages
from app.web.body_limit import BodyLimit
from app.web.docs import add_docs
from app.web.gradio_files import UploadLimits, guard_page_files
from app.web.headers import SecurityHeaders
from app.web.same_origin import SameOriginOnly
from app.web.throttle import LoginThrottle, RateLimiter
from app.web.ui import admin, login, student, teacher
from app.web.ui.common import THEME
from app.worker.client import WorkerClient
from tutor.checking import BATCH, INTERACTIVE

# Gradio runs one call per event at a time by default; a class works at once, so allow many. Calls
# are short (a step check has a deadline) and the model calls wait on the worker pool, not a core.
CALLS_AT_ONCE_PER_EVENT = 64
# Our scripts on every page (static files, so the pages' CSP needs no inline script for them).
PAGE_SCRIPTS = '<script src="/static/keypad.js" defer></script><script src="/static/a11y.js" defer></script>'


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
    # Batch grading checks in this process too when the worker is embedded (no broker).
    pools = (INTERACTIVE,) if settings.broker_url else (INTERACTIVE, BATCH)
    start_pools(settings, *pools, warm=False)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The checking processes are up before the first request, so no check pays for their start.
        await asyncio.to_thread(start_pools, settings, *pools)
        yield
        if owns_client:
            client.close()

    app = FastAPI(
        title="FlashTutor",
        lifespan=lifespan,
        docs_url=None,  # app.web.docs serves the docs page from the package (no CDN)
        redoc_url=None,
        openapi_url="/api/openapi.json",
        exception_handlers=api.error_handlers,
    )
    app.state.settings, app.state.db, app.state.client = settings, db, client
    app.state.model_limiter = RateLimiter(settings.model_requests_per_minute, "requests to the tutor model")
    app.state.login_throttle = LoginThrottle(free_per_address=settings.login_free_failures_per_address)
    app.middleware("http")(guard_pages)
    # Starlette's CORS middleware with no allowed origin: no cross-origin reads, and Gradio skips its
    # own CORS handling, which would reflect any Origin with credentials when the Host is not localhost.
    app.add_middleware(CORSMiddleware, allow_origins=[], allow_credentials=False)
    app.add_middleware(
        SameOriginOnly, session_cookie=SESSION_COOKIE, trusted_origins=settings.trusted_origins
    )
    app.add_middleware(
        # Uploads: the page's own gate refuses a file over the limit with a message that says so; this
        # cap is the backstop behind it.
        BodyLimit, max_size=settings.max_request_size, max_upload_size=2 * settings.upload_body_limit
    )
    app.add_middleware(SecurityHeaders)  # outermost: refusals from the others get the headers too
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    add_docs(app, app.openapi_url)
    app.include_router(login.router)
    app.include_router(api.router)
    app.include_router(accounts.router)
    app.include_router(openai_api.router)

    tutor_model = TutorModel(
        client, temperature=settings.temperature, top_p=settings.top_p, thinking_s=settings.hint_thinking_s,
        for_learners=True,
    )  # fmt: skip
    app.state.tutor_model = tutor_model  # the API's hints for problems beyond the solver
    upload_limits = UploadLimits(
        settings.upload_max_bytes, RateLimiter(settings.uploads_per_minute, "file uploads")
    )
    # page -> (its Blocks, its upload limits; None: the page has no file input and takes no files).
    pages = {
        "/student": (
            student.build(db, tutor_model, app.state.model_limiter, zone=settings.school_zone), None
        ),
        "/teacher": (
            teacher.build(db, zone=settings.school_zone, refresh_s=settings.dashboard_refresh_seconds),
            upload_limits,
        ),
        "/admin": (admin.build(db, settings, client), upload_limits),
    }
    for path, (blocks, uploads) in pages.items():
        # Every call goes through the queue (its limits, its checks); Gradio's run/ route is closed here,
        # its call/ route by guard_page_files.
        blocks.queue(default_concurrency_limit=CALLS_AT_ONCE_PER_EVENT, api_open=False)
        gr.mount_gradio_app(
            app,
            blocks,
            path=path,
            footer_links=[],
            run_history=False,
            theme=THEME,
            css_paths=[STATIC_DIR / "flashtutor.css"],
            head=PAGE_SCRIPTS,
            max_file_size=settings.upload_max_bytes,
            show_error=True,
        )
        guard_page_files(app, blocks, path=path, db=db, uploads=uploads)
    # Gradio's own 422s echo the input (a forged event call); they answer like the API's instead.
    invalid_request = api.error_handlers[RequestValidationError]
    for route in app.routes:
        if isinstance(route, Mount) and route.path in pages:
            route.app.add_exception_handler(RequestValidationError, invalid_request)
    return app


def serve_app(settings: Settings, *, announce: Callable[[str], None]) -> FastAPI:
    """The app as ``flashtutor serve`` runs it; on first start it creates the ``admin`` account and
    announces its generated password once (it is never logged or stored in clear)."""
    app = create_app(settings)
    password = ensure_first_admin(app.state.db, password=settings.admin_password_value)
    if password:
        announce(f"Created the first admin account. Username: admin  Password: {password}  (shown only now)")
    return app
