"""What a learner may see of a reply while the model is still writing it.

A reasoning model thinks first (``<think> … </think>``) and its trace holds the whole solution, so a
learner never sees it: the trace is kept apart for teachers and admins. After the trace, the reply is
released line by line: a line of prose as it is written, a line with math only once it has been checked
(verified lines get their ✓, wrong ones are hidden), and meanwhile a note says it is being checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tutor.reasoning import split_reasoning

THINKING_NOTE = "_The tutor is thinking…_"
CHECKING_NOTE = "_(checking the next line of math…)_"
# Anything that may start math: $…$, \(…\), \[…\], a relation or an operator between numbers.
_MATHY = re.compile(r"[$=<>≤≥^√]|\\\(|\\\[|\d\s*[-+*/]\s*\d")


@dataclass(frozen=True)
class GatedText:
    shown: str  # what the learner sees now
    trace: str  # the model's reasoning so far (teachers and admins only)
    lines: tuple  # the reply's finished lines, checked (tutor_model.CheckedLine)
    thinking: bool  # still inside the reasoning trace


class ReplyGate:
    """Feed it the raw text as it grows; it says what may be shown. ``check`` is ``(line, state) ->
    (CheckedLine, new state or None)``; lines are checked once each, chained from ``start``."""

    def __init__(self, start: str, check: Callable[[str, str], tuple], render: Callable[[tuple], str]):
        self._state, self._check, self._render = start, check, render
        self._lines: list = []
        self._consumed = 0  # characters of the reply already turned into checked lines

    def push(self, raw: str) -> GatedText:
        """The view of ``raw``, the whole text so far (not a delta)."""
        trace, reply, thinking = split_reasoning(raw)
        if thinking:
            return GatedText(THINKING_NOTE, trace, tuple(self._lines), True)
        finished, _, partial = reply[self._consumed :].rpartition("\n")
        if finished or _:
            self._take(finished.split("\n"))
            self._consumed += len(finished) + 1
        shown = self._render(tuple(self._lines))
        if partial.strip():
            tail = CHECKING_NOTE if _MATHY.search(partial) else partial
            shown = f"{shown}\n{tail}" if shown else tail
        return GatedText(shown, trace, tuple(self._lines), False)

    def finish(self, raw: str) -> GatedText:
        """The final view: the last line is checked too (a trace never closed shows nothing of it)."""
        trace, reply, thinking = split_reasoning(raw)
        if not thinking and (rest := reply[self._consumed :]):
            self._take(rest.split("\n"))
            self._consumed = len(reply)
        return GatedText(self._render(tuple(self._lines)), trace, tuple(self._lines), False)

    def _take(self, lines: list[str]) -> None:
        for line in lines:
            checked, new_state = self._check(line, self._state)
            self._state = new_state or self._state
            self._lines.append(checked)
