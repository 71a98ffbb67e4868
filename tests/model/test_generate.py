"""Generation on the tiny fixture model: greedy exactness, seeds, stops, cancellation, batching, sampling."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
import torch

from model.sambay import SambaY
from model.sampling import sample

PROMPT = [5, 77, 300, 12, 9, 410]


class LetterTokenizer:
    """Token i is the letter chr(97 + i % 26): text where stop strings are easy to place."""

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(chr(97 + i % 26) for i in ids)


class ByteTokenizer:
    """Token i is the byte i % 256, so characters can span tokens and be invalid UTF-8."""

    def decode(self, ids: Sequence[int]) -> str:
        return bytes(i % 256 for i in ids).decode("utf-8", errors="replace")


def tokens(model: SambaY, prompt: Sequence[int] = PROMPT, **options) -> list[int]:
    return list(model.generate_stream(prompt, **options))


def test_greedy_is_the_argmax_of_the_full_forward(tiny_model: SambaY) -> None:
    generated = tokens(tiny_model, max_new_tokens=30, temperature=0, stop_token_ids=())
    assert len(generated) == 30
    with torch.no_grad():
        logits = tiny_model(torch.tensor([PROMPT + generated]))[0]
    assert logits[len(PROMPT) - 1 : -1].argmax(-1).tolist() == generated


def test_a_seed_reproduces_a_sample(tiny_model: SambaY) -> None:
    options = {"max_new_tokens": 20, "temperature": 1.0, "top_p": 1.0, "stop_token_ids": ()}
    first = tokens(tiny_model, seed=7, **options)
    assert tokens(tiny_model, seed=7, **options) == first
    assert tokens(tiny_model, seed=8, **options) != first


def test_stop_ids_end_generation_without_being_yielded(tiny_model: SambaY) -> None:
    free = tokens(tiny_model, max_new_tokens=25, temperature=0, stop_token_ids=())
    stop = free[10]
    assert (
        tokens(tiny_model, max_new_tokens=25, temperature=0, stop_token_ids=[stop])
        == free[: free.index(stop)]
    )
    assert tiny_model.config.stop_token_ids == (511,)  # the default comes from the config


def test_stop_strings_cut_the_text(tiny_model: SambaY) -> None:
    letters = LetterTokenizer()
    options = {"max_new_tokens": 25, "temperature": 0, "stop_token_ids": (), "tokenizer": letters}
    text = "".join(p.text for p in tiny_model.generate_stream(PROMPT, **options))
    stop = text[12:15]
    pieces = list(tiny_model.generate_stream(PROMPT, stop_strings=[stop, "nowhere"], **options))
    assert "".join(p.text for p in pieces) == text[: text.index(stop)]
    assert len(pieces) == text.index(stop) + len(stop)  # generation ends on the token completing it


def test_streamed_text_equals_decoding_everything(tiny_model: SambaY) -> None:
    tokenizer = ByteTokenizer()
    pieces = list(
        tiny_model.generate_stream(
            PROMPT, max_new_tokens=40, temperature=1.0, seed=3, stop_token_ids=(), tokenizer=tokenizer
        )
    )
    ids = [p.token_id for p in pieces if p.token_id is not None]
    assert "".join(p.text for p in pieces) == tokenizer.decode(ids)


def test_cancel_is_checked_between_tokens(tiny_model: SambaY) -> None:
    event = threading.Event()
    seen = []
    for piece in tiny_model.generate_stream(
        PROMPT, max_new_tokens=20, temperature=0, stop_token_ids=(), cancel=event
    ):
        seen.append(piece)
        if len(seen) == 3:
            event.set()
    assert len(seen) == 3
    calls = iter(range(100))
    assert len(tokens(tiny_model, max_new_tokens=20, stop_token_ids=(), cancel=lambda: next(calls) >= 5)) == 5


def test_batched_generation_equals_each_prompt_alone(tiny_model: SambaY) -> None:
    prompts = [[3, 4, 5], list(range(100, 111)), list(range(200, 220))]
    for options in ({"temperature": 0}, {"temperature": 0.9, "top_k": 50, "seed": 11}):
        batched = tiny_model.generate(prompts, max_new_tokens=15, stop_token_ids=(), **options)
        alone = [tokens(tiny_model, p, max_new_tokens=15, stop_token_ids=(), **options) for p in prompts]
        assert batched == alone


def test_batched_rows_stop_on_their_own(tiny_model: SambaY) -> None:
    prompts = [[3, 4, 5], list(range(100, 111))]
    free = tiny_model.generate(prompts, max_new_tokens=12, temperature=0, stop_token_ids=())
    stop = free[0][4]
    stopped = tiny_model.generate(prompts, max_new_tokens=12, temperature=0, stop_token_ids=[stop])
    assert stopped == [row[: row.index(stop)] if stop in row else row for row in free]


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda m: m.generate_stream([]), "prompt is empty"),
        (lambda m: m.generate_stream([512]), r"\[0, 512\)"),
        (lambda m: m.generate_stream([1], stop_strings=["x"]), "need a tokenizer"),
        (lambda m: m.generate_stream([1], max_new_tokens=0), "max_new_tokens"),
        (lambda m: m.generate_stream([1], temperature=-1), "temperature"),
        (lambda m: m.generate([]), "at least one prompt"),
        (lambda m: m.generate([[1]], top_p=0), "top_p"),
    ],
)
def test_bad_requests_fail_before_any_work(tiny_model: SambaY, call, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        call(tiny_model)


def test_sampling_filters_per_row() -> None:
    logits = torch.randn(4, 50, generator=torch.Generator().manual_seed(0))
    best = logits.argmax(-1)
    generators = [torch.Generator().manual_seed(i) for i in range(4)]
    picked = sample(logits, [0.0, 1.0, 1.0, 5.0], [1.0, 1.0, 1e-6, 1.0], [None, 1, 0, 0], generators)
    assert picked[:3].tolist() == best[:3].tolist()  # greedy, top_k 1, tiny top_p
    top3 = set(logits[3].topk(3).indices.tolist())
    draws = {int(sample(logits[3:], [5.0], [1.0], [3], [generators[3]])[0]) for _ in range(200)}
    assert draws == top3  # a hot temperature reaches all of the top 3 and nothing else
    kept = logits[3].softmax(-1).sort(descending=True).values.cumsum(-1)
    nucleus = int((kept < 0.5).sum()) + 1
    draws = {int(sample(logits[3:], [1.0], [0.5], [None])[0]) for _ in range(300)}
    assert draws == set(logits[3].topk(nucleus).indices.tolist())


def test_sampling_rejects_bad_parameters() -> None:
    logits = torch.zeros(1, 5)
    with pytest.raises(ValueError, match="one temperature"):
        sample(logits, [1.0, 1.0], [1.0], [None])
    with pytest.raises(ValueError, match="top_p"):
        sample(logits, [1.0], [1.5], [None])
    with pytest.raises(ValueError, match="top_k"):
        sample(logits, [1.0], [1.0], [-2])


def test_banned_ids_are_never_sampled() -> None:
    logits = torch.zeros(3, 10)
    logits[:, 7:] = 50.0  # the banned ids would win every time
    banned = torch.tensor([7, 8, 9])
    picks = sample(logits, [0.0, 1.0, 5.0], [1.0] * 3, [None] * 3, banned=banned)
    assert (picks < 7).all()
    for seed in range(20):
        generator = torch.Generator().manual_seed(seed)
        assert int(sample(logits[:1], [2.0], [1.0], [None], [generator], banned)[0]) < 7
