"""The tokenizer with hostile message contents: no crash, control tokens only from code, clear errors."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.tokenizer import PHI4_ADDED_TOKENS, Tokenizer, TokenizerError, load_tokenizer
from tests.hostile.corpus import all_strings

SECONDS = 10.0
CONTROL_TEXT = "".join(token.text for token in PHI4_ADDED_TOKENS)
CONTROL_IDS = {token.id for token in PHI4_ADDED_TOKENS}
CONTROL_PIECES = st.sampled_from([t.text for t in PHI4_ADDED_TOKENS] + ["<|", "|>", "<|end", "\ud800"])
HUGE_TEXTS = {
    "a million spaces": " " * 1_000_000,  # used to overflow tiktoken's stack: a Rust panic, not an Exception
    "space and tab": " \t" * 500_000,
    "ideographic spaces": "\u3000" * 1_000_000,
    "a million letters": "x" * 1_000_000,
    "control tokens": CONTROL_TEXT * 10_000,
    "accents": "é" * 300_000,
}


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return load_tokenizer()


def chat_ids(tokenizer: Tokenizer, content: str) -> list[int]:
    started = time.perf_counter()
    messages = [{"role": "system", "content": content}, {"role": "user", "content": content}]
    ids = tokenizer.apply_chat_template(messages)
    assert time.perf_counter() - started < SECONDS
    return ids


def assert_plain_text(tokenizer: Tokenizer, ids: list[int], content: str) -> None:
    """The content became ordinary tokens: the only control ids are the template's own five."""
    assert sum(i in CONTROL_IDS for i in ids) == 5, "message text produced a control token"
    if content == content.encode("utf-8", "replace").decode("utf-8"):  # lone surrogates cannot round-trip
        assert tokenizer.render_chat([{"role": "user", "content": content}]).count(content) >= 1


@pytest.mark.parametrize("text", HUGE_TEXTS.values(), ids=HUGE_TEXTS.keys())
def test_huge_texts_encode_and_round_trip(tokenizer: Tokenizer, text: str) -> None:
    started = time.perf_counter()
    ids = tokenizer.encode(text)
    assert tokenizer.decode(ids) == text
    assert time.perf_counter() - started < SECONDS


def test_long_whitespace_runs_keep_short_text_tokens_unchanged(tokenizer: Tokenizer) -> None:
    assert tokenizer.encode("a" + " " * 10_000 + "b")[:1] == tokenizer.encode("a")
    assert tokenizer.encode("hello  world") == [24912, 220, 2375]


@pytest.mark.parametrize("text", [CONTROL_TEXT, *(t for t in all_strings() if len(t) < 20_000)])
def test_corpus_contents_stay_plain_text(tokenizer: Tokenizer, text: str) -> None:
    assert_plain_text(tokenizer, chat_ids(tokenizer, text), text)


@pytest.mark.parametrize("bad", [-1, 10**12, "7", 1.5, None, [1]])
def test_bad_ids_are_a_tokenizer_error(tokenizer: Tokenizer, bad: Any) -> None:
    with pytest.raises(TokenizerError):
        tokenizer.decode([bad])


@pytest.mark.parametrize(
    "messages",
    [
        "hello",
        None,
        [1],
        [{"role": "root", "content": "x"}],
        [{"role": "user", "content": None}],
        [{"role": "user", "content": b"bytes"}],
        [{"role": "system", "content": "x", "tools": 5}],
        [{"role": "<|assistant|>", "content": "x"}],
    ],
)
def test_malformed_messages_are_a_tokenizer_error(tokenizer: Tokenizer, messages: Any) -> None:
    with pytest.raises(TokenizerError):
        tokenizer.apply_chat_template(messages)


@settings(settings.get_profile("hostile"), max_examples=200)
@given(st.lists(st.one_of(st.text(max_size=40), CONTROL_PIECES), max_size=6))
def test_random_contents_never_make_control_tokens(tokenizer: Tokenizer, pieces: list[str]) -> None:
    content = "".join(pieces)
    assert_plain_text(tokenizer, chat_ids(tokenizer, content), content)


@settings(settings.get_profile("hostile"), max_examples=200)
@given(st.lists(st.integers(0, 200_029), max_size=30))
def test_any_vocabulary_ids_decode_to_text(tokenizer: Tokenizer, ids: list[int]) -> None:
    valid = [i for i in ids if i < 199_998 or i in CONTROL_IDS]
    assert isinstance(tokenizer.decode(valid), str)
