"""Tokenizer for learner math: plain text, calculator notation, Unicode symbols and common LaTeX.

Every token keeps its character position so that error messages can point at the problem.
Anything not on the allow-lists below is a :class:`MathSyntaxError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutor.limits import MAX_DIGITS


class MathSyntaxError(ValueError):
    """Learner input that cannot be read as math; ``position`` is a 0-based character index."""

    def __init__(self, message: str, position: int | None = None, text: str | None = None):
        self.position = position
        if position is not None:
            message = f"{message} (at position {position + 1}{_near(text, position)})"
        super().__init__(message)


def _near(text: str | None, position: int) -> str:
    if not text:
        return ""
    snippet = text[max(0, position - 8) : position + 8].replace("\n", " ")
    return f', near "{snippet}"'


@dataclass(frozen=True)
class Token:
    kind: str  # num, letter, func, const, op, rel, word, deriv, end
    text: str
    position: int


FUNCTIONS = {
    "sqrt", "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan",
    "arcsin", "arccos", "arctan", "ln", "log", "exp", "abs", "factorial", "diff",
}  # fmt: skip
CONSTANTS = {"pi": "pi", "oo": "oo", "inf": "oo", "infty": "oo", "infinity": "oo"}
WORDS = {"or", "and"}
ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan"}
_KNOWN_WORDS = sorted(FUNCTIONS | set(CONSTANTS) | WORDS, key=len, reverse=True)

LATEX_COMMANDS = {
    **{name: ("func", name) for name in FUNCTIONS if name not in {"abs", "factorial", "diff"}},
    "frac": ("func", "frac"), "dfrac": ("func", "frac"), "tfrac": ("func", "frac"),
    "cdot": ("op", "*"), "times": ("op", "*"), "div": ("op", "/"),
    "pm": ("op", "±"), "mp": ("op", "∓"),
    "le": ("rel", "<="), "leq": ("rel", "<="), "leqslant": ("rel", "<="),
    "ge": ("rel", ">="), "geq": ("rel", ">="), "geqslant": ("rel", ">="),
    "lt": ("rel", "<"), "gt": ("rel", ">"), "ne": ("rel", "!="), "neq": ("rel", "!="),
    "pi": ("const", "pi"), "infty": ("const", "oo"),
    "cup": ("op", "∪"), "in": ("op", "∈"), "{": ("op", "set{"), "}": ("op", "set}"),
    "lbrace": ("op", "set{"), "rbrace": ("op", "set}"), "vert": ("op", "|"), "lvert": ("op", "|"),
    "rvert": ("op", "|"), "mid": ("op", "|"),
}  # fmt: skip
LATEX_IGNORED = {"left", "right", "displaystyle", ",", ";", ":", "!", " ", "quad", "qquad", "big", "Big"}
LATEX_TEXT = {"text", "mathrm", "textbf", "mbox", "textrm", "operatorname"}

UNICODE = {
    "−": ("op", "-"), "–": ("op", "-"), "·": ("op", "*"), "⋅": ("op", "*"), "×": ("op", "*"),
    "∙": ("op", "*"), "÷": ("op", "/"), "±": ("op", "±"), "∓": ("op", "∓"), "√": ("func", "sqrt"),
    "π": ("const", "pi"), "∞": ("const", "oo"), "∪": ("op", "∪"), "∈": ("op", "∈"),
    "≤": ("rel", "<="), "≥": ("rel", ">="), "≠": ("rel", "!="), "⩽": ("rel", "<="), "⩾": ("rel", ">="),
}  # fmt: skip
SUPERSCRIPTS = {"²": "2", "³": "3"}
SINGLE = set("+-*/^!,;()[]{}|")

_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_RELATION = re.compile(r"<=|>=|=<|=>|!=|==|<>|[=<>]")
_PLAIN_DERIVATIVE = re.compile(r"d\s*/\s*d([a-zA-Z])(?![a-zA-Z])")
_LATEX_DERIVATIVE = re.compile(r"\\[dt]?frac\s*\{\s*d\s*\}\s*\{\s*d\s*([a-zA-Z])\s*\}")
_RELATION_NAMES = {"=<": "<=", "=>": ">=", "==": "=", "<>": "!="}


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, rejecting every character or command not on the allow-lists."""
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in " \t\r":
            index += 1
        elif char == "\n":
            tokens.append(Token("op", "newline", index))
            index += 1
        elif match := _NUMBER.match(text, index):
            digits = match.group().replace(".", "")
            if len(digits.lstrip("0")) > MAX_DIGITS:
                message = f"This number is too long (the limit is {MAX_DIGITS} digits)"
                raise MathSyntaxError(message, index, text)
            tokens.append(Token("num", match.group(), index))
            index = match.end()
        elif char.isascii() and char.isalpha():
            index = _letters(text, index, tokens)
        elif char == "\\":
            index = _latex(text, index, tokens)
        elif char == "*" and text.startswith("**", index):
            tokens.append(Token("op", "^", index))
            index += 2
        elif match := _RELATION.match(text, index):
            tokens.append(Token("rel", _RELATION_NAMES.get(match.group(), match.group()), index))
            index = match.end()
        elif char in SINGLE:
            tokens.append(Token("op", char, index))
            index += 1
        elif char in UNICODE:
            kind, name = UNICODE[char]
            tokens.append(Token(kind, name, index))
            index += 1
        elif char in SUPERSCRIPTS:
            tokens += [Token("op", "^", index), Token("num", SUPERSCRIPTS[char], index)]
            index += 1
        else:
            raise MathSyntaxError(f"I can't use the character {char!r} in math", index, text)
    tokens.append(Token("end", "", len(text)))
    return tokens


def _letters(text: str, index: int, tokens: list[Token]) -> int:
    """A run of letters: a derivative ``d/dx``, a known word, or single-letter variables (``xy`` = x*y)."""
    if (match := _PLAIN_DERIVATIVE.match(text, index)) and not text[index - 1 : index].isalpha():
        tokens.append(Token("deriv", match.group(1), index))
        return match.end()
    end = index
    while end < len(text) and text[end].isascii() and text[end].isalpha():
        end += 1
    position = index
    while position < end:
        word = next((w for w in _KNOWN_WORDS if text.startswith(w, position, end)), None)
        if word is None:
            tokens.append(Token("letter", text[position], position))
            position += 1
            continue
        if word in WORDS:
            tokens.append(Token("word", word, position))
        elif word in CONSTANTS:
            tokens.append(Token("const", CONSTANTS[word], position))
        else:
            tokens.append(Token("func", ALIASES.get(word, word), position))
        position += len(word)
    return end


def _latex(text: str, index: int, tokens: list[Token]) -> int:
    if match := _LATEX_DERIVATIVE.match(text, index):
        tokens.append(Token("deriv", match.group(1), index))
        return match.end()
    match = re.compile(r"\\([a-zA-Z]+|.)").match(text, index)
    if match is None:
        raise MathSyntaxError("A backslash must start a LaTeX command", index, text)
    name = match.group(1)
    if name in LATEX_IGNORED:
        end = match.end()
        if name in {"left", "right"} and text[end : end + 1] == ".":
            end += 1
        return end
    if name in LATEX_COMMANDS:
        kind, value = LATEX_COMMANDS[name]
        tokens.append(Token(kind, value, index))
        return match.end()
    if name in LATEX_TEXT:
        return _latex_text(text, match.end(), index, tokens)
    raise MathSyntaxError(f"I don't know the LaTeX command \\{name}", index, text)


def _latex_text(text: str, start: int, index: int, tokens: list[Token]) -> int:
    """``\\text{ or }`` is a word; other words inside ``\\text{}`` are not math."""
    match = re.compile(r"\s*\{([^{}\\]*)\}").match(text, start)
    if match is None:
        raise MathSyntaxError("\\text needs its words in braces, like \\text{ or }", index, text)
    words = match.group(1).strip()
    if words in WORDS:
        tokens.append(Token("word", words, index))
    elif words in CONSTANTS or words in FUNCTIONS:
        _letters(words, 0, tokens)
        tokens[-1] = Token(tokens[-1].kind, tokens[-1].text, index)
    elif words:
        raise MathSyntaxError(f"The words {words!r} are not math I can check", index, text)
    return match.end()
