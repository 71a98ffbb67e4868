"""Cross-site request forgery: a state-changing request with a login cookie must come from our own pages.

Browsers attach the session cookie to a form posted from any page on the same site (SameSite=Lax does
not separate ports of one host), but they also say where the request came from: ``Origin`` on every
POST, ``Referer`` as a fallback. A request is let through when that origin is the server's own (the
Host it was sent to) or a configured trusted origin, or when it carries a bearer token (a browser never
adds one by itself), or when it carries no login cookie at all (then nobody's login can be abused; a
foreign ``Origin`` is still refused, so another site cannot sign a browser into an account either).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
REFUSED = (
    "this request came from another site and was refused: changes can only be made from FlashTutor's own "
    "pages (API clients send 'Authorization: Bearer <token>')"
)


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL, lowercase, without a default port; None when it has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    shown_port = f":{port}" if port is not None and port != default else ""
    return f"{parts.scheme.lower()}://{host.lower()}{shown_port}"


def _without_default_port(netloc: str) -> str:
    netloc = netloc.lower()
    for default in (":80", ":443"):
        if netloc.endswith(default):
            return netloc.removesuffix(default)
    return netloc


class SameOriginOnly:
    """ASGI middleware refusing (403) state-changing requests that another site made a browser send."""

    def __init__(self, app: ASGIApp, *, session_cookie: str, trusted_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.session_cookie = session_cookie
        self.trusted = {origin for origin in map(origin_of, trusted_origins) if origin}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS or self.allows(Headers(scope=scope)):
            await self.app(scope, receive, send)
            return
        await JSONResponse({"detail": REFUSED}, status_code=403)(scope, receive, send)

    def allows(self, headers: Headers) -> bool:
        """Whether a state-changing request with these headers may go on."""
        scheme, _, credentials = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return True
        source = headers.get("origin") or headers.get("referer")
        if source is None:  # not a browser, or one that sends neither: only safe without a login cookie
            return self.session_cookie not in cookie_parser(headers.get("cookie", ""))
        origin = origin_of(source)  # "null" (a sandboxed frame, a file) has none and is refused
        if origin is None:
            return False
        if origin in self.trusted:
            return True
        own = _without_default_port(headers.get("host", ""))
        return _without_default_port(urlsplit(origin).netloc) == own
