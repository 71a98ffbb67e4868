"""What the "ask the tutor" chat box shows while a reply streams and once it is checked."""

from __future__ import annotations

from app.services.tutor_model import HIDDEN_NOTE, ReplyDraft, TutorReply, check_reply, render
from app.web.ui.chat import NO_ANSWER, chat_text

RAW = "<think>2x = 9? no</think>First: $2x = 8$\nso $x = 5$"


def checked(text: str, notice: str | None = None) -> TutorReply:
    lines = check_reply(text, "2x + 3 = 11")
    return TutorReply(render(lines), lines, "model", notice)


def test_a_draft_shows_what_the_gate_released() -> None:
    assert chat_text(ReplyDraft("First: $2x = 8$ ✓", "req-1", trace="2x = 9")) == "First: $2x = 8$ ✓"


def test_the_finished_reply_shows_only_checked_math_and_never_the_reasoning() -> None:
    shown = chat_text(ReplyDraft("", None, checked(RAW), trace="2x = 9? no"))
    assert shown == f"First: $2x = 8$ ✓\n{HIDDEN_NOTE}"
    assert "think" not in shown and "2x = 9" not in shown


def test_the_solvers_answer_says_why_the_model_did_not_answer() -> None:
    reply = TutorReply("Meanwhile, a hint: isolate x.", (), "solver", "No model is configured.")
    shown = chat_text(ReplyDraft("", None, reply))
    assert shown == "Meanwhile, a hint: isolate x.\n\n_No model is configured._"


def test_an_empty_answer_is_named_not_left_blank() -> None:
    shown = chat_text(ReplyDraft("", None, checked("<think>hmm</think>")))
    assert shown == NO_ANSWER
