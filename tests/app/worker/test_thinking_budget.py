"""An interactive request's thinking is bounded: the worker closes a trace that runs past its time.

The network here is scripted (it "thinks" by repeating one letter until the trace is closed, then
answers), so the test is about the real EngineHost and Engine, not about what a random model says.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from app.contract import GenerationRequest
from app.worker.flags import MemoryFlags
from app.worker.host import EngineHost
from app.worker.streams import MemoryStreams
from model.engine.engine import Engine, EngineConfig
from model.tokenizer import load_tokenizer
from tutor.reasoning import CLOSE_TRACE, split_reasoning

EOS = 256  # the readable tiny tokenizer's <|endoftext|>
# the next character after each: "<think>" then "z" forever; after the closing "\n\n" the answer "OK."
SCRIPT = ["<t", "th", "hi", "in", "nk", "k>", ">z", "zz", "\nO", "OK", "K."]


@dataclass(frozen=True)
class _Config:
    vocab_size: int = 512
    stop_token_ids: tuple[int, ...] = (EOS,)


class ThinkingNetwork(torch.nn.Module):
    """Greedy output follows SCRIPT from the last token; every step takes ``step_s``."""

    def __init__(self, tokenizer, step_s: float) -> None:
        super().__init__()
        self.config, self.step_s = _Config(), step_s
        self.start = tokenizer.encode("<")[0]  # what the prompt's end leads to: a trace
        self.next = {tokenizer.encode(a)[0]: tokenizer.encode(b)[0] for a, b in SCRIPT}
        self.next[tokenizer.encode(".")[0]] = EOS
        self.anchor = torch.nn.Parameter(torch.zeros(1))  # gives the runner a device

    def allocate_state(self, num_slots: int, max_len: int, device=None, dtype=None) -> dict:
        return {"kv": torch.zeros(num_slots, max_len, device=device or "cpu")}

    def _logits(self, last: torch.Tensor) -> torch.Tensor:
        time.sleep(self.step_s)
        logits = torch.full((last.shape[0], self.config.vocab_size), -1e9)
        for row, token in enumerate(last.tolist()):
            logits[row, self.next.get(token, self.start)] = 0.0
        return logits

    def prefill(self, input_ids, state, slots, lengths) -> torch.Tensor:
        return self._logits(input_ids[torch.arange(input_ids.shape[0]), lengths - 1])

    def decode(self, tokens, state, slots, positions) -> torch.Tensor:
        return self._logits(tokens)


@pytest.fixture
def host_for(readable_tiny_model: Callable[..., Path]):
    tokenizer = load_tokenizer(readable_tiny_model())
    hosts = []

    def build(step_s: float = 0.01) -> EngineHost:
        network = ThinkingNetwork(tokenizer, step_s)
        engine = Engine(network, EngineConfig(max_seq_len=512, num_slots=2), tokenizer)
        host = EngineHost(
            engine, tokenizer, MemoryStreams(), MemoryFlags(), vocab_size=512, stop_token_ids=(EOS,)
        )
        hosts.append(host)
        return host

    yield build
    for host in hosts:
        host.close()


def _ask(**options) -> GenerationRequest:
    return GenerationRequest(prompt_token_ids=[EOS + 1], max_tokens=300, temperature=0.0, **options)


def test_without_a_bound_the_model_thinks_until_its_token_budget_runs_out(host_for) -> None:
    generation = host_for().generate(_ask())
    _, _, thinking = split_reasoning(generation.text)
    assert thinking
    assert generation.status == "length" and generation.output_tokens == 300


def test_a_trace_past_its_thinking_time_is_closed_and_the_model_answers(host_for) -> None:
    host = host_for()
    request = _ask(thinking_s=0.3)
    generation = host.generate(request)
    trace, reply, thinking = split_reasoning(generation.text)
    assert not thinking and reply == "OK."
    assert generation.status == "done"
    assert trace.startswith("z") and set(trace) == {"z"} and 5 < len(trace) < 290
    assert CLOSE_TRACE in generation.text
    streamed = "".join(event.text or "" for event in host.streams.read(request.request_id, 5))
    assert streamed == generation.text  # the reader saw exactly what was generated, closing tag included


def test_a_reply_without_a_trace_is_never_cut(host_for) -> None:
    host = host_for()
    prompt = host.tokenizer.encode("O")
    generation = host.generate(
        GenerationRequest(prompt_token_ids=prompt, max_tokens=20, temperature=0.0, thinking_s=0.0)
    )
    assert generation.text == "K." and generation.status == "done"


def test_learner_facing_requests_carry_the_thinking_bound(tmp_path: Path) -> None:
    from app.services.tutor_model import TutorModel
    from app.settings import Settings

    settings = Settings(data_dir=tmp_path, hint_thinking_s=4.5)
    request = TutorModel(None, thinking_s=settings.hint_thinking_s)._request("Why?")
    assert request.thinking_s == 4.5 and request.priority == "interactive"
