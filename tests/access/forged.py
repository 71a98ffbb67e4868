"""Gradio event calls made the way an attacker makes them: plain HTTP with a hand-written payload.

``queue/join`` puts an event in the page's queue, ``queue/data`` streams its messages (server-sent
events) until the queue closes the stream; ``call/<api_name>`` and ``run/<api_name>`` are Gradio's
other two doors to the same functions.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from gradio.utils import get_upload_folder


def file_data(path: Path | str) -> dict[str, Any]:
    """A ``gradio.FileData`` payload naming ``path``: what Gradio copies into its cache if allowed."""
    return {"path": str(path), "meta": {"_type": "gradio.FileData"}}


@dataclass(frozen=True)
class Event:
    status: int  # of queue/join
    messages: list[dict[str, Any]]
    raw: str  # everything the server sent back, to search for leaked content

    @property
    def completed(self) -> dict[str, Any]:
        return next((m for m in self.messages if m.get("msg") == "process_completed"), {})

    @property
    def error(self) -> str | None:
        """The error shown to the user, or None when the event succeeded."""
        done = self.completed
        if done.get("success"):
            return None
        return str((done.get("output") or {}).get("error") or "")


@dataclass(frozen=True)
class Page:
    """One Gradio page, called as one user (``headers``) in one browser session."""

    client: TestClient
    path: str
    headers: dict[str, str]
    session_hash: str = ""

    def __post_init__(self) -> None:
        if not self.session_hash:
            object.__setattr__(self, "session_hash", uuid.uuid4().hex)

    def config(self) -> dict[str, Any]:
        response = self.client.get(f"{self.path}/config", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def fn_index(self, api_name: str) -> int:
        found = [d["id"] for d in self.config()["dependencies"] if d.get("api_name") == api_name]
        assert found, f"{self.path} has no event named {api_name}"
        return found[0]

    def call(self, fn_index: int, data: list[Any], event_data: Any = None) -> Event:
        """Join the queue with this payload (and what the browser says of the event, e.g. which row was
        clicked) and read every message until the stream closes."""
        body = {"fn_index": fn_index, "data": data, "session_hash": self.session_hash,
                "event_data": event_data, "trigger_id": None}  # fmt: skip
        # ASCII escapes, as a hostile client may send them: text with lone surrogates is still valid JSON.
        joined = self.client.post(f"{self.path}/gradio_api/queue/join", content=json.dumps(body),
                                  headers={**self.headers, "content-type": "application/json"})  # fmt: skip
        if joined.status_code != 200:
            return Event(joined.status_code, [], joined.text)
        messages, raw = [], []
        url = f"{self.path}/gradio_api/queue/data"
        with self.client.stream("GET", url, params={"session_hash": self.session_hash},
                                headers=self.headers) as stream:  # fmt: skip
            for line in stream.iter_lines():
                raw.append(line)
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    messages.append(message)
                    if message.get("msg") == "close_stream":
                        break
        return Event(joined.status_code, messages, "\n".join(raw))

    def upload(self, name: str, content: bytes) -> list[str]:
        """Upload one file the way the page's file input does; the server paths Gradio gives back."""
        response = self.client.post(f"{self.path}/gradio_api/upload", headers=self.headers,
                                    files={"files": (name, content)})  # fmt: skip
        assert response.status_code == 200, response.text
        return response.json()


def copies_in_gradio_folder(name: str) -> list[Path]:
    """Files called ``name`` anywhere in Gradio's upload folder and cache (one folder by default)."""
    return list(Path(get_upload_folder()).rglob(name))
