""" "Ask the tutor": the model's answer streamed token by token, then replaced by its checked version.

While tokens arrive the learner sees them as they come (the reasoning trace collapsed by the chat
box); when the reply ends, every line of math is checked by ``tutor_model.check_reply`` and the shown
answer becomes the checked one: verified lines marked ✓, wrong ones hidden. Without a model the
tutor's symbolic answer is shown at once, with the note saying how to enable the model.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from app.services.tutor_model import SYSTEM_PROMPT, TUTOR_STYLE, TutorModel, check_reply, render
from app.worker.requests import GenerationRequest, WorkerError
from app.worker.streams import StreamTimeout
from tutor.problems import Problem

REASONING_TAGS = [("<think>", "</think>")]


@dataclass(frozen=True)
class ChatUpdate:
    """One moment of a streamed reply: the text to show, and the request to cancel (while running)."""

    text: str
    request_id: str | None


def tutor_prompt(problem: Problem, current: str, question: str, history: list[tuple[str, str]]) -> str:
    turns = "".join(f"Learner: {q}\nTutor: {a}\n" for q, a in history)
    return (
        f"Problem: {problem.prompt}\nThe learner's current line is ${current}$.\n{turns}Learner: {question}"
    )


def stream_answer(
    tutor: TutorModel, problem: Problem, current: str, question: str, history: list[tuple[str, str]]
) -> Iterator[ChatUpdate]:
    """The reply as it grows, ending with the checked reply (or the symbolic tutor's, without a model)."""
    request = GenerationRequest(
        messages=[
            {"role": "system", "content": f"{SYSTEM_PROMPT} {TUTOR_STYLE}"},
            {"role": "user", "content": tutor_prompt(problem, current, question, history)},
        ],
        max_tokens=tutor.max_tokens,
        temperature=tutor.temperature,
        top_p=tutor.top_p,
        time_limit_s=tutor.time_limit_s,
    )
    try:
        request_id = tutor.client.submit(request)
        text = ""
        for chunk in tutor.client.text(request_id):
            text += chunk
            yield ChatUpdate(text, request_id)
    except (WorkerError, StreamTimeout):
        reply = tutor.ask(problem, current, question, tuple(history))
        yield ChatUpdate(f"{reply.text}\n\n_{reply.notice}_" if reply.notice else reply.text, None)
        return
    reasoning, _, _ = text.rpartition("</think>")
    checked = render(check_reply(text, current)) or "(the tutor gave no answer)"
    yield ChatUpdate(f"{reasoning}</think>\n\n{checked}" if reasoning else checked, None)
