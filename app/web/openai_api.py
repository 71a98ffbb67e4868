"""OpenAI-compatible ``/v1/chat/completions`` and ``/v1/completions``, served by the worker pool.

Existing clients work unchanged: point ``base_url`` at ``http://host:port/v1`` and use a FlashTutor
login token (from ``POST /api/login``) as the API key. Both endpoints stream (server-sent events) or
answer whole; ``/v1/completions`` takes a prompt as text-free token ids, as OpenAI's API allows.
Errors use OpenAI's ``{"error": {...}}`` shape so those clients show the message.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from redis import RedisError
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from app.contract import GenerationFailed, GenerationRequest, Overloaded, WorkerError
from app.settings import Settings
from app.web.auth import RateLimited, SignedIn
from app.worker.client import WorkerClient

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


class Sampling(BaseModel):
    model: str = MODEL_ID
    stream: bool = False
    max_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    seed: int | None = None

    def options(self, settings: Settings, max_tokens: int | None) -> dict[str, Any]:
        """Sampling for a ``GenerationRequest``: the caller's values, the server's defaults and cap."""
        wanted = max_tokens or self.max_tokens or settings.max_new_tokens
        return {
            "max_tokens": min(wanted, settings.max_new_tokens),
            "temperature": settings.temperature if self.temperature is None else self.temperature,
            "top_p": settings.top_p if self.top_p is None else self.top_p,
            "seed": self.seed,
        }


class ChatCompletionRequest(Sampling):
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    max_completion_tokens: int | None = Field(default=None, ge=1)


class CompletionRequest(Sampling):
    prompt: list[Annotated[int, Field(ge=0)]] = Field(
        min_length=1, max_length=32768, description="Prompt token ids."
    )


@dataclass(frozen=True)
class Shape:
    """How one endpoint wraps text: the whole reply, one streamed piece, and the object names."""

    whole_object: str
    chunk_object: str
    whole: Callable[[str, str], dict[str, Any]]  # (text, finish reason) -> choice
    piece: Callable[[str | None, str | None], dict[str, Any]]  # (text, finish reason) -> choice
    first: dict[str, Any] | None = None  # a chunk sent before any text


CHAT = Shape(
    "chat.completion",
    "chat.completion.chunk",
    whole=lambda text, reason: {
        "index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": reason
    },
    piece=lambda text, reason: {
        "index": 0, "delta": {} if text is None else {"content": text}, "finish_reason": reason
    },
    first={"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None},
)  # fmt: skip
TEXT = Shape(
    "text_completion",
    "text_completion",
    whole=lambda text, reason: {"index": 0, "text": text, "finish_reason": reason, "logprobs": None},
    piece=lambda text, reason: {"index": 0, "text": text or "", "finish_reason": reason, "logprobs": None},
)


@router.get("/models")
def models(request: Request, _user: SignedIn) -> dict[str, Any]:
    """The model, when a worker serves it now; an empty list otherwise (clients then know to wait)."""
    try:
        served = bool(request.app.state.client.workers())
    except RedisError:  # the broker is away: nothing can be served until it is back
        served = False
    listed = [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "microsoft"}] if served else []
    return {"object": "list", "data": listed}


@router.post("/chat/completions", response_model=None)
async def chat_completions(
    body: ChatCompletionRequest, request: Request, user: SignedIn
) -> JSONResponse | StreamingResponse:
    generation = GenerationRequest(
        messages=[{"role": m.role, "content": m.as_text()} for m in body.messages],
        **body.options(request.app.state.settings, body.max_completion_tokens),
    )
    return await _serve(request, user.id, generation, body.stream, CHAT)


@router.post("/completions", response_model=None)
async def completions(
    body: CompletionRequest, request: Request, user: SignedIn
) -> JSONResponse | StreamingResponse:
    generation = GenerationRequest(
        prompt_token_ids=body.prompt, **body.options(request.app.state.settings, None)
    )
    return await _serve(request, user.id, generation, body.stream, TEXT)


def openai_error(code: int, message: str, kind: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind, "code": code}}, status_code=code)


async def _serve(
    request: Request, user_id: int, generation: GenerationRequest, stream: bool, shape: Shape
) -> JSONResponse | StreamingResponse:
    state = request.app.state
    try:
        state.model_limiter.take(user_id)
    except RateLimited as error:
        return openai_error(status.HTTP_429_TOO_MANY_REQUESTS, str(error), "rate_limit_exceeded")
    client: WorkerClient = state.client
    try:
        request_id = await run_in_threadpool(client.submit, generation)
    except Overloaded as error:
        return openai_error(status.HTTP_503_SERVICE_UNAVAILABLE, str(error), "overloaded")
    except WorkerError as error:
        return openai_error(status.HTTP_503_SERVICE_UNAVAILABLE, str(error), "model_unavailable")
    reply_id = f"cmpl-{request_id}"
    if stream:
        return StreamingResponse(_stream(client, request_id, reply_id, shape), media_type="text/event-stream")
    try:
        text, reason = await run_in_threadpool(_collect, client, request_id)
    except (GenerationFailed, TimeoutError) as error:
        return openai_error(status.HTTP_502_BAD_GATEWAY, str(error), "generation_failed")
    return JSONResponse(_envelope(reply_id, shape.whole_object, shape.whole(text, reason)))


def _collect(client: WorkerClient, request_id: str) -> tuple[str, str]:
    """The whole reply and OpenAI's name for how it ended."""
    chunks, reason = [], "stop"
    for event in client.events(request_id):
        if event.is_end:
            reason = _FINISH_REASONS.get(event.status or "done", "stop")
        else:
            chunks.append(event.text)
    return "".join(chunks), reason


async def _stream(client: WorkerClient, request_id: str, reply_id: str, shape: Shape) -> AsyncIterator[str]:
    """Server-sent events in OpenAI's chunk format; a client that hangs up cancels the generation."""
    finished = False
    try:
        if shape.first is not None:
            yield _sse(_envelope(reply_id, shape.chunk_object, shape.first))
        async for event in iterate_in_threadpool(client.events(request_id)):
            if event.is_end:
                reason = _FINISH_REASONS.get(event.status or "done", "stop")
                yield _sse(_envelope(reply_id, shape.chunk_object, shape.piece(None, reason)))
                break
            yield _sse(_envelope(reply_id, shape.chunk_object, shape.piece(event.text, None)))
        finished = True
    except (GenerationFailed, TimeoutError) as error:
        finished = True
        yield _sse({"error": {"message": str(error), "type": "generation_failed", "code": 502}})
    finally:
        if not finished:
            client.cancel(request_id)
    yield "data: [DONE]\n\n"


def _envelope(reply_id: str, kind: str, choice: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": reply_id,
        "object": kind,
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [choice],
    }


def _sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload)}\n\n"
