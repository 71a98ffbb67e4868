"""Small LaTeX text helpers shared by the parser and the answer extractor."""

from __future__ import annotations

import re


def matching_brace(text: str, open_index: int) -> int | None:
    """Index of the ``}`` closing the ``{`` at ``open_index`` (escaped braces ignored), or None."""
    depth = 0
    index = open_index
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


def last_command_argument(text: str, commands: tuple[str, ...]) -> tuple[int, str] | None:
    """Start offset and content of the braced argument of the last ``\\command{...}`` in ``text``."""
    pattern = re.compile(r"\\(?:" + "|".join(commands) + r")\s*\{")
    for match in reversed(list(pattern.finditer(text))):
        close = matching_brace(text, match.end() - 1)
        if close is not None:
            return match.end(), text[match.end() : close]
    return None


def last_math_segment(text: str) -> tuple[int, str] | None:
    """Start offset and content of the last ``$...$`` (or ``$$...$$``) segment, if any."""
    matches = list(re.finditer(r"\$\$(.+?)\$\$|(?<!\\)\$(.+?)(?<!\\)\$", text, flags=re.DOTALL))
    if not matches:
        return None
    last = matches[-1]
    group = 1 if last.group(1) is not None else 2
    return last.start(group), last.group(group)
