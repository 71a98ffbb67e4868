"""Reading the learner's current state: the parsed meaning plus what the raw layout still shows."""

from __future__ import annotations

import re

import sympy

from tutor.parse import MathSyntaxError, parse_math


class StateError(ValueError):
    """The learner's current state cannot be read or is not a form this problem's solver works on."""


def read_state(text: str) -> sympy.Basic:
    """Parse a state with the shared parser; its errors become StateError with the parser's words."""
    try:
        return parse_math(text)
    except MathSyntaxError as error:
        raise StateError(f"cannot read {text!r}: {error}") from error


def has_brackets(text: str) -> bool:
    """Whether a side still has brackets to multiply out (``3(x - 2)``), which parsing hides."""
    return re.search(r"[\dx)]\s*\(|\)\s*[\dx(]|-\s*\(", text) is not None
