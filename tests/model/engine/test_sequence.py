"""Request validation and stop handling on a single sequence."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from model.engine.sequence import FinishReason, InvalidRequest, ReplyText, SamplingParams, Sequence


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_tokens": 0}, "max_tokens"),
        ({"temperature": -1.0}, "temperature"),
        ({"temperature": float("nan")}, "temperature"),
        ({"top_p": 0.0}, "top_p"),
        ({"top_p": 1.5}, "top_p"),
        ({"top_k": -2}, "top_k"),
        ({"stop_strings": ("",)}, "empty"),
    ],
)
def test_bad_sampling_params_are_refused_with_the_parameter_named(kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        SamplingParams(**kwargs)


@pytest.mark.parametrize("prompt", [[], [1, -3], [1, "2"], [1, 2.0]])
def test_bad_prompts_are_refused(prompt: list) -> None:
    with pytest.raises(InvalidRequest, match="prompt"):
        Sequence(prompt)


def test_numpy_and_tensor_integers_are_accepted_as_plain_ids() -> None:
    assert Sequence([np.int64(3), torch.tensor(4)]).token_ids == [3, 4]


def test_lists_are_accepted_for_stop_conditions() -> None:
    params = SamplingParams(stop_token_ids=[3, 4], stop_strings=["\n\n"])
    assert params.stop_token_ids == (3, 4) and params.stop_strings == ("\n\n",)
    assert SamplingParams().greedy and not SamplingParams(temperature=0.7).greedy


def test_stop_string_spanning_several_tokens_is_detected_in_the_newest_token() -> None:
    vocab = ["The", " answer", " is", " 4", ".", "\n", "\n", "x"]
    s = Sequence([0], SamplingParams(max_tokens=20, stop_strings=("4.\n\n",)))
    decode = lambda ids: "".join(vocab[i] for i in ids)  # noqa: E731
    for token in (1, 2, 3, 4, 5):
        s.append_token(token, decode)
        assert not s.is_finished
    s.append_token(6, decode)
    assert s.finish_reason is FinishReason.STOP
    assert s.text.final() == " answer is "  # cut before the stop string


def test_a_stop_id_ends_the_reply_without_becoming_text() -> None:
    s = Sequence([0], SamplingParams(max_tokens=20, stop_token_ids=(9,)), keep_text=True)
    for token in (1, 2, 9):
        s.append_token(token, lambda ids: "".join(chr(97 + i) for i in ids))
    assert s.finish_reason is FinishReason.STOP and s.completion_token_ids == [1, 2, 9]
    assert s.reply_token_ids == [1, 2] and s.text.final() == "bc"


def test_reply_text_holds_back_a_possible_stop_string_and_unfinished_characters() -> None:
    euro = list("€".encode())
    text = ReplyText(lambda ids: bytes(ids).decode("utf-8", errors="replace"), ("ab",))
    assert text.push(ord("x")) == ("x", False)
    assert text.push(ord("a")) == ("", False)  # could be the start of "ab"
    assert text.push(ord("c")) == ("ac", False)
    assert text.push(euro[0]) == ("", False) and text.push(euro[1]) == ("", False)
    assert text.push(euro[2]) == ("€", False)
    assert text.take() == "xac€"
    assert text.push(ord("a")) == ("", False) and text.push(ord("b")) == ("", True)
    assert text.final() == "xac€" and text.flush() == "" and text.take() == ""


def test_max_tokens_finishes_with_length() -> None:
    s = Sequence([5], SamplingParams(max_tokens=2))
    s.append_token(1)
    assert not s.is_finished
    s.append_token(2)
    assert s.finish_reason is FinishReason.LENGTH and s.completion_token_ids == [1, 2]
