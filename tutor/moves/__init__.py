"""Solver moves: one rewrite at a time from whatever state the learner reached, one module per family.

A move function takes the current line as typed and as parsed (``read_state``) and returns the next
:data:`Move`, or None once the line is the final answer; it raises :class:`~tutor.moves.reading.StateError`
for a line it does not work on. Each skill names its move in its declaration (:mod:`tutor.problems`), and
:mod:`tutor.solver` calls it. This package imports nothing from either, so declarations can import it.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy

Move = tuple[str, str, str]  # the new state as typed text, a short rule name, why
MoveFunction = Callable[[str, sympy.Basic], Move | None]  # (the line as typed, as parsed) -> next move
