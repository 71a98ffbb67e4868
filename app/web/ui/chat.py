""" "Ask the tutor" in the chat box: ``TutorModel.ask_stream`` drafts as chat messages.

While tokens arrive the learner sees them as they come (the reasoning trace collapsed by the chat
box); the last draft replaces them with the checked answer: verified lines marked ✓, wrong ones
hidden, and, when the solver answered instead of the model, the note saying why.
"""

from __future__ import annotations

from app.services.tutor_model import ReplyDraft

REASONING_TAGS = [("<think>", "</think>")]
NO_ANSWER = "(the tutor gave no answer)"


def chat_text(draft: ReplyDraft) -> str:
    """What the chat box shows for a draft: the raw text while it streams, then the checked reply."""
    if draft.reply is None:
        return draft.text
    shown = draft.reply.text or NO_ANSWER
    if draft.reply.notice:
        shown = f"{shown}\n\n_{draft.reply.notice}_"
    reasoning, closed, _ = draft.text.rpartition("</think>")
    return f"{reasoning}{closed}\n\n{shown}" if closed else shown
