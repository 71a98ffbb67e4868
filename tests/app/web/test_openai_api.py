"""The OpenAI-compatible endpoints, driven by the ``openai`` client itself, on the tiny SambaY model.

The tiny model has random weights and a 512-token vocabulary, so it cannot read the chat template's
special tokens: chat requests reach it and come back as a readable error, and the generation path is
exercised through ``/v1/completions`` with token-id prompts. What matters is that the client accepts
every response, streaming and not, that both agree, and that errors reach it with readable messages.
"""

from __future__ import annotations

import time

import openai
import pytest

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2 + 3?"}]


def openai_client(world, token: str | None = None) -> openai.OpenAI:
    """The official client, talking to the in-process app (TestClient is an httpx client)."""
    return openai.OpenAI(
        base_url="http://testserver/v1", api_key=token or world.login("ada"), http_client=world.client,
        max_retries=0,
    )  # fmt: skip


@pytest.fixture(scope="module")
def model_world(make_world, tiny_model_path):
    world = make_world(model_path=tiny_model_path, model_requests_per_minute=1000)
    deadline = time.monotonic() + 30
    while not world.client.app.state.client.workers():
        assert time.monotonic() < deadline, "the embedded worker did not start"
        time.sleep(0.05)
    return world


def test_completion_and_its_stream_agree(model_world) -> None:
    client = openai_client(model_world)
    options = {
        "model": "phi-4-mini-flash-reasoning",
        "prompt": [7, 42, 99],
        "max_tokens": 12,
        "temperature": 0.0,
    }
    whole = client.completions.create(**options)
    assert whole.object == "text_completion"
    assert whole.choices[0].finish_reason == "length"
    text = whole.choices[0].text
    assert isinstance(text, str) and text

    chunks = list(client.completions.create(**options, stream=True))
    assert len(chunks) > 2  # token by token, not one block
    assert chunks[-1].choices[0].finish_reason == "length"
    assert "".join(c.choices[0].text for c in chunks) == text
    assert len({c.id for c in chunks}) == 1


def test_chat_reaches_the_model_and_its_errors_reach_the_client(model_world) -> None:
    client = openai_client(model_world)
    with pytest.raises(openai.InternalServerError, match="outside the model's vocabulary"):
        client.chat.completions.create(model="phi-4-mini-flash-reasoning", messages=MESSAGES, max_tokens=4)
    stream = client.chat.completions.create(
        model="phi-4-mini-flash-reasoning", messages=MESSAGES, max_tokens=4, stream=True
    )
    with pytest.raises(openai.APIError, match="outside the model's vocabulary"):
        for chunk in stream:
            assert chunk.choices[0].delta.role == "assistant"


def test_models_lists_the_hosted_model(model_world) -> None:
    assert [m.id for m in openai_client(model_world).models.list()] == ["phi-4-mini-flash-reasoning"]


def test_models_lists_nothing_when_no_model_is_served(world) -> None:
    assert list(openai_client(world).models.list()) == []


def test_without_a_model_the_client_is_told_how_to_enable_it(world) -> None:
    with pytest.raises(openai.APIStatusError) as caught:
        openai_client(world).chat.completions.create(model="phi-4-mini-flash-reasoning", messages=MESSAGES)
    assert caught.value.status_code == 503
    assert "FLASHTUTOR_MODEL_PATH" in caught.value.message


def test_a_bad_token_is_refused(world) -> None:
    with pytest.raises(openai.AuthenticationError):
        openai_client(world, token="not-a-token").chat.completions.create(
            model="phi-4-mini-flash-reasoning", messages=MESSAGES
        )


def test_malformed_requests_are_refused_clearly_in_openais_error_shape(world) -> None:
    headers = world.as_user("ada")
    empty = world.client.post("/v1/chat/completions", headers=headers, json={"messages": []})
    assert empty.status_code == 400
    assert empty.json()["error"]["type"] == "invalid_request_error"
    assert empty.json()["error"]["param"] == "messages"
    text_prompt = world.client.post("/v1/completions", headers=headers, json={"prompt": "hello"})
    assert text_prompt.status_code == 400 and "prompt" in text_prompt.json()["error"]["message"]
    role = world.client.post(
        "/v1/chat/completions", headers=headers, json={"messages": [{"role": "wizard", "content": "hi"}]}
    )
    assert role.status_code == 400 and "role" in role.json()["error"]["message"]
    with pytest.raises(openai.BadRequestError, match="messages"):  # the official client reads it
        openai_client(world).chat.completions.create(model="phi-4-mini-flash-reasoning", messages=[])


def test_model_requests_are_rate_limited_per_user(make_world) -> None:
    world = make_world(model_requests_per_minute=2)
    ada, bob = openai_client(world), openai_client(world, token=world.login("bob"))
    for _ in range(2):
        with pytest.raises(openai.APIStatusError, match="not enabled"):
            ada.chat.completions.create(model="phi-4-mini-flash-reasoning", messages=MESSAGES)
    with pytest.raises(openai.RateLimitError, match="too many requests"):
        ada.chat.completions.create(model="phi-4-mini-flash-reasoning", messages=MESSAGES)
    with pytest.raises(openai.APIStatusError, match="not enabled"):  # bob has his own budget
        bob.chat.completions.create(model="phi-4-mini-flash-reasoning", messages=MESSAGES)
