"""Security headers on every response: a Content-Security-Policy, no framing, no MIME sniffing.

The Gradio pages need inline scripts and styles (Gradio writes its config and theme inline) and
``eval`` (Gradio 6 renders every ``gr.HTML`` through a template compiled with ``new Function``; measured
in tests/browser, which fail on any policy violation), so their policy allows those but loads nothing
from another origin; every other page (the login form, the API, static
files) gets a policy that allows only our own stylesheets. No page may be framed (clickjacking).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

GRADIO_PAGES = ("/student", "/teacher", "/admin")

GRADIO_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# The API docs: Swagger UI from the installed package (app.web.docs) and a start-up script file, so no
# inline script and nothing from another origin; Swagger UI sets inline styles on its elements.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
STRICT_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


def policy_for(path: str) -> str:
    if any(path == page or path.startswith(page + "/") for page in GRADIO_PAGES):
        return GRADIO_POLICY
    if path == "/api/docs":
        return DOCS_POLICY
    return STRICT_POLICY


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP response, replacing any the app set itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = policy_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                headers["X-Frame-Options"] = "DENY"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
            await send(message)

        await self.app(scope, receive, send_with_headers)
