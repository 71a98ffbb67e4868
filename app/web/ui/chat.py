""" "Ask the tutor" in the chat box: ``TutorModel.ask_stream`` drafts as chat messages.

While the model thinks the learner sees only that it is thinking (its reasoning trace holds the whole
solution); then the reply arrives line by line, each line of math only once it is checked. The last
draft is the checked answer: verified lines marked ✓, wrong ones hidden, and, when the solver answered
instead of the model, the note saying why.

The conversation is kept on the server (``ChatHistory`` in a ``gr.State``): the browser sends only
the new question, so what it sends can never become a file, or words the tutor did not say.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.services.tutor_model import ReplyDraft

REASONING_TAGS = [("<think>", "</think>")]
NO_ANSWER = "(the tutor gave no answer)"


def chat_text(draft: ReplyDraft) -> str:
    """What the chat box shows for a draft: the checked part while it streams, then the checked reply."""
    if draft.reply is None:
        return draft.text
    shown = draft.reply.text or NO_ANSWER
    return f"{shown}\n\n_{draft.reply.notice}_" if draft.reply.notice else shown


@dataclass(frozen=True)
class ChatHistory:
    """What the learner asked and the tutor answered about one attempt, oldest first."""

    attempt_id: int | None = None
    turns: tuple[tuple[str, str], ...] = ()

    def for_attempt(self, attempt_id: int) -> ChatHistory:
        """This conversation if it is about ``attempt_id``; a new one otherwise."""
        return self if self.attempt_id == attempt_id else ChatHistory(attempt_id)

    def with_turn(self, question: str, answer: str) -> ChatHistory:
        return ChatHistory(self.attempt_id, (*self.turns, (question, answer)))

    def messages(self) -> list[dict[str, str]]:
        """The turns as the chat box shows them."""
        shown = []
        for question, answer in self.turns:
            shown += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        return shown
