"""The API documentation (Swagger UI) served from the installed package, so it renders offline.

FastAPI's own docs page loads Swagger UI from a CDN, which a school network without internet (or a
strict Content-Security-Policy) leaves blank. The assets come from ``swagger-ui-bundle-v2`` and the
page's start-up script is a static file, so the page needs no inline script.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

DOCS_URL = "/api/docs"
ASSETS_URL = f"{DOCS_URL}/assets"


def add_docs(app: FastAPI, openapi_url: str) -> None:
    """Serve ``DOCS_URL`` (the page) and ``ASSETS_URL`` (Swagger UI's files) on ``app``."""
    app.mount(ASSETS_URL, StaticFiles(directory=swagger_ui_path), name="api-docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{app.title} API</title>"
            f"<link rel='stylesheet' href='{ASSETS_URL}/swagger-ui.css'></head>"
            f"<body><div id='swagger-ui' data-openapi-url='{openapi_url}'></div>"
            f"<script src='{ASSETS_URL}/swagger-ui-bundle.js'></script>"
            "<script src='/static/api-docs.js'></script></body></html>"
        )
