"""Small LaTeX text helpers shared by the parser and the answer extractor."""

from __future__ import annotations

import re


def brace_pairs(text: str) -> dict[int, int]:
    """Each ``{`` index mapped to the ``}`` that closes it (escaped braces ignored), in one pass.

    One pass, not one scan per brace: model output with 50,000 unclosed ``\\boxed{`` would otherwise
    take quadratic time in the web process.
    """
    pairs: dict[int, int] = {}
    open_braces: list[int] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            open_braces.append(index)
        elif char == "}" and open_braces:
            pairs[open_braces.pop()] = index
        index += 1
    return pairs


def last_command_argument(text: str, commands: tuple[str, ...]) -> tuple[int, str] | None:
    """Start offset and content of the braced argument of the last ``\\command{...}`` in ``text``."""
    pattern = re.compile(r"\\(?:" + "|".join(commands) + r")\s*\{")
    matches = list(pattern.finditer(text))
    pairs = brace_pairs(text) if matches else {}
    for match in reversed(matches):
        close = pairs.get(match.end() - 1)
        if close is not None:
            return match.end(), text[match.end() : close]
    return None


def last_math_segment(text: str) -> tuple[int, str] | None:
    """Start offset and content of the last ``$...$`` (or ``$$...$$``) segment, if any.

    Segments right before it that only whitespace separates belong to the same answer, typed in pieces
    (``$$-11x^3-x^2+7x$$ $$-9$$``), so their contents are joined with spaces and read whole."""
    matches = list(re.finditer(r"\$\$(.+?)\$\$|(?<!\\)\$(.+?)(?<!\\)\$", text, flags=re.DOTALL))
    if not matches:
        return None
    run = [matches[-1]]
    for match in reversed(matches[:-1]):
        if text[match.end() : run[-1].start()].strip():
            break
        run.append(match)
    run.reverse()
    pieces = [(match.start(_group(match)), match.group(_group(match))) for match in run]
    return pieces[0][0], " ".join(content for _, content in pieces)


def _group(match: re.Match[str]) -> int:
    return 1 if match.group(1) is not None else 2
