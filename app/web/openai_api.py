"""An OpenAI-compatible ``/v1/chat/completions`` (streaming and not), served by the worker pool.

Existing clients work unchanged: point ``base_url`` at ``http://host:port/v1`` and use a FlashTutor
login token (from ``POST /api/login``) as the API key. Errors use OpenAI's ``{"error": {...}}`` shape
so those clients show the message.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from app.web.auth import RateLimited, SignedIn
from app.worker.client import WorkerClient
from app.worker.requests import GenerationFailed, GenerationRequest, Overloaded, WorkerError

MODEL_ID = "phi-4-mini-flash-reasoning"
_FINISH_REASONS = {"done": "stop", "length": "length", "cancelled": "stop", "timeout": "length"}

router = APIRouter(prefix="/v1", tags=["openai"])


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str | list[TextPart]

    def as_text(self) -> str:
        return self.content if isinstance(self.content, str) else "".join(part.text for part in self.content)


class ChatCompletionRequest(BaseModel):
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    seed: int | None = None


def openai_error(code: int, message: str, kind: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind, "code": code}}, status_code=code)


@router.get("/models")
def models(_user: SignedIn) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "microsoft"}],
    }


@router.post("/chat/completions", response_model=None)
async def chat_completions(
    body: ChatCompletionRequest, request: Request, user: SignedIn
) -> JSONResponse | StreamingResponse:
    state = request.app.state
    settings = state.settings
    try:
        state.model_limiter.check(user.id)
    except RateLimited as error:
        return openai_error(status.HTTP_429_TOO_MANY_REQUESTS, str(error), "rate_limit_exceeded")
    generation = GenerationRequest(
        messages=[{"role": m.role, "content": m.as_text()} for m in body.messages],
        max_tokens=min(
            body.max_completion_tokens or body.max_tokens or settings.max_new_tokens, settings.max_new_tokens
        ),
        temperature=settings.temperature if body.temperature is None else body.temperature,
        top_p=settings.top_p if body.top_p is None else body.top_p,
        seed=body.seed,
    )
    client: WorkerClient = state.client
    try:
        request_id = await run_in_threadpool(client.submit, generation)
    except Overloaded as error:
        return openai_error(status.HTTP_503_SERVICE_UNAVAILABLE, str(error), "overloaded")
    except WorkerError as error:
        return openai_error(status.HTTP_503_SERVICE_UNAVAILABLE, str(error), "model_unavailable")
    completion_id = f"chatcmpl-{request_id}"
    if body.stream:
        return StreamingResponse(_stream(client, request_id, completion_id), media_type="text/event-stream")
    try:
        text, ended = await run_in_threadpool(_collect, client, request_id)
    except (GenerationFailed, TimeoutError) as error:
        return openai_error(status.HTTP_502_BAD_GATEWAY, str(error), "generation_failed")
    choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": ended}
    return JSONResponse(_envelope(completion_id, "chat.completion", choice))


def _collect(client: WorkerClient, request_id: str) -> tuple[str, str]:
    """The whole reply and OpenAI's name for how it ended."""
    chunks, ended = [], "stop"
    for event in client.events(request_id):
        if event.is_end:
            ended = _FINISH_REASONS.get(event.status or "done", "stop")
        else:
            chunks.append(event.text)
    return "".join(chunks), ended


async def _stream(client: WorkerClient, request_id: str, completion_id: str) -> AsyncIterator[str]:
    """Server-sent events in OpenAI's chunk format; a client that hangs up cancels the generation."""
    finished = False
    try:
        yield _sse(
            _envelope(completion_id, "chat.completion.chunk", _delta({"role": "assistant", "content": ""}))
        )
        async for event in iterate_in_threadpool(client.events(request_id)):
            if event.is_end:
                reason = _FINISH_REASONS.get(event.status or "done", "stop")
                yield _sse(_envelope(completion_id, "chat.completion.chunk", _delta({}, reason)))
                break
            yield _sse(_envelope(completion_id, "chat.completion.chunk", _delta({"content": event.text})))
        finished = True
    except (GenerationFailed, TimeoutError) as error:
        finished = True
        yield _sse({"error": {"message": str(error), "type": "generation_failed", "code": 502}})
    finally:
        if not finished:
            client.cancel(request_id)
    yield "data: [DONE]\n\n"


def _delta(delta: dict[str, str], finish_reason: str | None = None) -> dict[str, Any]:
    return {"index": 0, "delta": delta, "finish_reason": finish_reason}


def _envelope(completion_id: str, kind: str, choice: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": kind,
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [choice],
    }


def _sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload)}\n\n"
