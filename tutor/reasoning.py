"""The shape of a reasoning model's output: a trace in ``<think> … </think>``, then the answer.

Phi-4-mini-flash-reasoning writes these tags as ordinary text (they are not special tokens), so both
the worker (to bound the thinking) and the tutor (to keep the trace from learners) read them here.
"""

from __future__ import annotations

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
CLOSE_TRACE = f"\n{THINK_CLOSE}\n\n"  # what the worker writes for the model when its thinking time is up


def split_reasoning(raw: str) -> tuple[str, str, bool]:
    """(trace, reply, still thinking). Text that may still become ``<think>`` counts as thinking."""
    text = raw.lstrip()
    if not text or THINK_OPEN.startswith(text):
        return "", "", True
    if not text.startswith(THINK_OPEN):
        return "", text, False
    trace, closed, reply = text[len(THINK_OPEN) :].partition(THINK_CLOSE)
    if not closed:
        return trace.strip(), "", True
    return trace.strip(), reply.lstrip(), False


def still_thinking(raw: str) -> bool:
    """True while the output is inside an open trace (not before one may start)."""
    text = raw.lstrip()
    return text.startswith(THINK_OPEN) and THINK_CLOSE not in text
