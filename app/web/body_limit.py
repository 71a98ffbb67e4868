"""Request bodies are capped before they are read, so no client can make the server hold a huge body.

A stated size (Content-Length) over the limit is refused before the app runs. A body that does not state
its size is counted as it arrives: when it passes the limit, the client gets the 413 at once and the app
sees the client leave (it is never handed the extra bytes, and whatever it was doing is dropped). This is
plain ASGI on purpose: an exception raised from inside ``receive`` would reach the app through other
middleware's task groups and come out as a 500 instead of a 413. Gradio's upload routes get the upload
size, everything else (JSON, forms, Gradio events) the small request size.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UPLOAD_PATH_SUFFIX = "/gradio_api/upload"


def is_upload(path: str) -> bool:
    return path.endswith(UPLOAD_PATH_SUFFIX)


def too_large(limit: int) -> JSONResponse:
    detail = f"the request is too large: this address takes at most {limit:,} bytes"
    return JSONResponse({"detail": detail}, status_code=413)


class BodyLimit:
    """ASGI middleware: 413 for a body over ``max_size`` (``max_upload_size`` on upload routes)."""

    def __init__(self, app: ASGIApp, *, max_size: int, max_upload_size: int) -> None:
        self.app, self.max_size, self.max_upload_size = app, max_size, max_upload_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_upload_size if is_upload(scope["path"]) else self.max_size
        stated = dict(scope["headers"]).get(b"content-length", b"")
        if stated.isdigit() and int(stated) > limit:
            await too_large(limit)(scope, receive, send)
            return
        received, started, cut, refused = 0, False, False, False

        async def counted_receive() -> Message:
            nonlocal received, cut, refused
            if cut:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # stop reading; answer 413 unless the app has begun its answer
                    cut = True
                    if not started:
                        refused = True
                        await too_large(limit)(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the client already has its 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not refused:
                raise  # a real error; a refused body only makes the app stop reading
