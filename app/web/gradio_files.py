"""What the Gradio pages take in and give out: files, uploads and event calls.

Out of the box Gradio copies any ``gradio.FileData`` path found in an event's payload into its cache
and serves its cache at ``<page>/gradio_api/file=`` to whoever has the URL, on every page, so a
forged event call could read any file the server can read (issue 12). Here:

* a FileData path must lie inside Gradio's upload folder. Gradio has that check, but it runs only for
  Blocks it launched itself, so each mounted page is marked as launched (``close_file_paths``);
* no page serves files: every download is a JSON API route that checks who may have it;
* only pages with a file input take uploads, a few per user a minute, each under the size limit;
* events are called through the page's queue only, and one the page does not have is refused in
  words (Gradio answers 500); Gradio's other doors to them (``call/``, ``run/``, the server functions
  of custom components) are closed.

The refusals are routes placed in front of the page's own mount, so they answer before Gradio does
and show up in the app's route list like any other route.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
from fastapi import FastAPI, status
from fastapi.responses import JSONResponse
from gradio.utils import get_upload_folder, is_in_or_equal
from starlette.concurrency import run_in_threadpool
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.requests import Request
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Message, Receive, Scope, Send

from app.db import Database
from app.web.auth import RateLimited, RateLimiter, signed_in_user

GRADIO_API = "/gradio_api"
NOT_SERVED = "files are not served here; use the page's download button"
NO_UPLOADS = "this page takes no files"
QUEUE_ONLY = "this page's events are called through its queue (queue/join) only"
# The multipart envelope around one file (boundaries, headers, the file name) is far below this.
ENVELOPE_BYTES = 64 * 1024
# ``gr.Blocks(delete_cache=...)`` for pages that take files: every hour, uploads older than an hour
# that nothing consumed (and deleted) are deleted, so they neither linger nor fill the disk.
FORGET_UPLOADS = (3600, 3600)


@dataclass(frozen=True)
class UploadLimits:
    """How much one user may upload to a page: files a minute (``per_user``), bytes per file."""

    max_bytes: int
    per_user: RateLimiter


def close_file_paths(blocks: gr.Blocks) -> None:
    """Make Gradio refuse FileData paths outside its upload folder in this page's event payloads.

    Gradio skips that check for a Blocks that was not launched, and ``mount_gradio_app`` never launches
    one; the flag has no other use in Gradio (checked against the installed version by the tests in
    tests/access/test_gradio_files.py, which replay the attack).
    """
    blocks.has_launched = True


def uploaded_file(path: str | None) -> Path:
    """The file a user uploaded through Gradio, or a user-facing error for any other path."""
    if not path or not is_in_or_equal(path, get_upload_folder()) or not Path(path).is_file():
        raise gr.Error("Choose the file again: the upload was not found on the server.")
    return Path(path)


def guard_page_files(
    app: FastAPI, blocks: gr.Blocks, *, path: str, db: Database, uploads: UploadLimits | None
) -> None:
    """Close the file doors of the Gradio page ``blocks`` mounted at ``path`` (call it after mounting).

    ``uploads`` is None for a page with no file input: its upload route refuses every upload.
    """
    close_file_paths(blocks)
    mount = next(r for r in app.router.routes if isinstance(r, Mount) and r.path == path)
    api = path + GRADIO_API
    routes: list[BaseRoute] = [
        Route(api + "/file={name:path}", _not_served, methods=["GET", "HEAD"]),
        Route(api + "/file/{name:path}", _not_served, methods=["GET", "HEAD"]),
        Route(api + "/process_recording", _no_uploads, methods=["POST"]),
        Route(api + "/queue/join", EventGate(mount, set(blocks.fns)), methods=["POST"]),
        Route(api + "/call/{rest:path}", _queue_only, methods=["GET", "POST"]),
        Route(api + "/component_server{rest:path}", _queue_only, methods=["POST"]),
    ]
    if uploads is None:
        routes.append(Route(api + "/upload", _no_uploads, methods=["POST"]))
    else:
        routes.append(Route(api + "/upload", UploadGate(mount, db, uploads), methods=["POST"]))
    at = app.router.routes.index(mount)
    app.router.routes[at:at] = routes


async def _not_served(_request: Request) -> JSONResponse:
    return JSONResponse({"detail": NOT_SERVED}, status_code=status.HTTP_404_NOT_FOUND)


async def _queue_only(_request: Request) -> JSONResponse:
    return JSONResponse({"detail": QUEUE_ONLY}, status_code=status.HTTP_404_NOT_FOUND)


async def _no_uploads(_request: Request) -> JSONResponse:
    return JSONResponse({"detail": NO_UPLOADS}, status_code=status.HTTP_403_FORBIDDEN)


async def _pass_on(page: Mount, scope: Scope, receive: Receive, send: Send) -> None:
    """Hand the request to the page's Gradio app, as the mount would have."""
    _, page_scope = page.matches(scope)
    await page.handle({**scope, **page_scope}, receive, send)


class EventGate:
    """The page's ``queue/join``: an event number the page does not have gets a 404 that says so."""

    def __init__(self, page: Mount, fn_indices: set[int]) -> None:
        self.page, self.fn_indices = page, fn_indices

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        refusal = self.refusal(body)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await _pass_on(self.page, scope, _replay(body, receive), send)

    def refusal(self, body: bytes) -> JSONResponse | None:
        try:
            event = json.loads(body)
            fn_index = event.get("fn_index")
        except (ValueError, AttributeError):
            return None  # not a JSON object: Gradio's own validation answers
        if isinstance(fn_index, int) and fn_index not in self.fn_indices:
            unknown = {"detail": f"this page has no event number {fn_index}"}
            return JSONResponse(unknown, status_code=status.HTTP_404_NOT_FOUND)
        try:  # Gradio's event stream cannot send text with unpaired surrogates back: it breaks off
            json.dumps(event, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            detail = "the text has characters that are not valid Unicode (unpaired surrogates); retype it"
            return JSONResponse({"detail": detail}, status_code=status.HTTP_400_BAD_REQUEST)
        return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body already read, then whatever comes next (a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class UploadGate:
    """The upload route of a page that takes files: count the user's uploads, then hand to Gradio."""

    def __init__(self, page: Mount, db: Database, limits: UploadLimits) -> None:
        self.page, self.db, self.limits = page, db, limits
        # Counted as it arrives too, so a body that does not state its size is cut off all the same.
        largest = limits.max_bytes + ENVELOPE_BYTES
        self.pass_on = RequestBodyLimitMiddleware(self._pass_on, max_body_size=largest)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = await self.refusal(Request(scope, receive))
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.pass_on(scope, receive, send)

    async def _pass_on(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _pass_on(self.page, scope, receive, send)

    async def refusal(self, request: Request) -> JSONResponse | None:
        """Why this upload is refused, as the response to send; None when it may go ahead."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limits.max_bytes + ENVELOPE_BYTES:
            megabytes = self.limits.max_bytes / 1_000_000
            detail = f"that file is too big: files on this page must be under {megabytes:g} MB"
            return JSONResponse({"detail": detail}, status_code=status.HTTP_413_CONTENT_TOO_LARGE)
        # The page guard has already checked the role; the user is needed to count their uploads.
        user = await run_in_threadpool(signed_in_user, self.db, request)
        if user is None:
            return JSONResponse({"detail": "sign in first"}, status_code=status.HTTP_401_UNAUTHORIZED)
        try:
            self.limits.per_user.take(user.id)
        except RateLimited as error:
            headers = {"Retry-After": f"{error.retry_after:.0f}"}
            return JSONResponse({"detail": str(error)}, status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                                headers=headers)  # fmt: skip
        return None
