"""The web app: login page, Gradio UIs for students, teachers and admins, and the HTTP API."""

from pathlib import Path

# The project's top-level static/ folder: CSS and the login page, served under /static.
STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
