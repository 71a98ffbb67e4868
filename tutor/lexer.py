"""Tokenizer for learner math: plain text, calculator notation, Unicode symbols and common LaTeX.

Every token keeps its character position so that error messages can point at the problem.
Anything not on the allow-lists below is a :class:`MathSyntaxError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutor.limits import MAX_DIGITS, MAX_EXPONENT
from tutor.vocabulary import (
    ALIASES,
    CONSTANTS,
    DEGREE_WORDS,
    FIXED_BASE_LOGS,
    FUNCTION_SPELLINGS,
    FUNCTIONS,
    GREEK_CAPITALS,
    GREEK_NAMES,
    LATEX_COMMANDS,
    LATEX_IGNORED,
    LATEX_TEXT,
    MATRIX_ENVIRONMENTS,
    PLAIN_WORDS,
    SUBSCRIPTS,
    SUPERSCRIPTS,
    UNICODE,
    UNICODE_GREEK,
    VULGAR_FRACTIONS,
    WORDS,
    suggestion,
)  # fmt: skip


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
    kind: str  # num, letter (any variable name), func, const, op, rel, word, deriv, end
    text: str
    position: int


_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+(?![\d.]))?")
_BINOMIAL = re.compile(r"(\d+)C(\d+)(?![\d.])")  # calculator notation: 5C2
_RELATION = re.compile(r"<=|>=|=<|=>|!=|==|<>|[=<>]")
_PLAIN_DERIVATIVE = re.compile(r"d\s*/\s*d([a-zA-Z])(?![a-zA-Z])")
_LATEX_DERIVATIVE = re.compile(r"\\[dt]?frac\s*\{\s*d\s*\}\s*\{\s*d\s*([a-zA-Z])\s*\}")
_DEGREE_MARK = re.compile(r"\^\s*(?:\{\s*\\circ\s*\}|\\circ)")
_ENVIRONMENT = re.compile(r"\\(begin|end)\s*\{\s*([a-zA-Z*]+)\s*\}")
_SUBSCRIPT = re.compile(r"_(?:\{\s*([a-zA-Z0-9]+)\s*\}|([a-zA-Z0-9]))|([₀-₉]+)")
_DIGITS = re.compile(r"\d+")
_RELATION_NAMES = {"=<": "<=", "=>": ">=", "==": "=", "<>": "!="}
SINGLE = set("+-*/^!,;()[]{}|&'_")


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
        elif match := _BINOMIAL.match(text, index):
            tokens += _synthetic(index, ("func", "binom"), ("op", "("), ("num", match.group(1)),
                                 ("op", ","), ("num", match.group(2)), ("op", ")"))  # fmt: skip
            index = match.end()
        elif match := _NUMBER.match(text, index):
            index = _number(text, match, tokens)
        elif char.isascii() and char.isalpha():
            index = _letters(text, index, tokens)
        elif char == "\\":
            index = _latex(text, index, tokens)
        elif char == "*" and text.startswith("**", index):
            tokens.append(Token("op", "^", index))
            index += 2
        elif match := _DEGREE_MARK.match(text, index):
            tokens.append(Token("op", "°", index))
            index = match.end()
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
        elif char in UNICODE_GREEK:
            index = _name(text, index, index + 1, UNICODE_GREEK[char], tokens)
        elif char in VULGAR_FRACTIONS:
            tokens.append(Token("num", char, index))
            index += 1
        elif char.translate(SUPERSCRIPTS) != char:
            index = _superscript(text, index, tokens)
        else:
            raise MathSyntaxError(f"I can't use the character {char!r} in math", index, text)
    tokens.append(Token("end", "", len(text)))
    return tokens


def _synthetic(position: int, *parts: tuple[str, str]) -> list[Token]:
    return [Token(kind, value, position) for kind, value in parts]


def _number(text: str, match: re.Match[str], tokens: list[Token]) -> int:
    """A decimal, possibly in scientific notation (``1.9E+27``), or a mixed number such as ``1½``."""
    index, end = match.start(), match.end()
    mantissa, _, exponent = match.group().lower().partition("e")
    digits = mantissa.replace(".", "")
    if len(digits.lstrip("0")) > MAX_DIGITS:
        raise MathSyntaxError(f"This number is too long (the limit is {MAX_DIGITS} digits)", index, text)
    if exponent and abs(int(exponent)) > MAX_EXPONENT:
        message = f"The power of ten in this number is too large (the limit is {MAX_EXPONENT})"
        raise MathSyntaxError(message, index, text)
    number = match.group()
    if text[end : end + 1] in VULGAR_FRACTIONS and number.isdigit():
        number, end = number + text[end], end + 1
    tokens.append(Token("num", number, index))
    return end


def _superscript(text: str, index: int, tokens: list[Token]) -> int:
    """``x²``, ``x⁻¹``: a run of superscript characters is a power."""
    end = index
    while end < len(text) and text[end].translate(SUPERSCRIPTS) != text[end]:
        end += 1
    exponent = text[index:end].translate(SUPERSCRIPTS)
    tokens.append(Token("op", "^", index))
    if exponent.startswith("-"):
        tokens.append(Token("op", "-", index))
        exponent = exponent[1:]
    if not exponent.isdigit():
        raise MathSyntaxError("A superscript power needs digits, like x² or x⁻¹", index, text)
    tokens.append(Token("num", exponent, index))
    return end


def _letters(text: str, index: int, tokens: list[Token]) -> int:
    """A run of letters: a derivative ``d/dx``, known words, or one-letter names (``xy`` = x·y).

    A run that ends in a plain letter right before ``(`` is a function name, and an unknown one is
    refused rather than split into letters (``tanhh(x)`` must not become t·a·n·h·h·x).
    """
    if (match := _PLAIN_DERIVATIVE.match(text, index)) and not text[index - 1 : index].isalpha():
        tokens.append(Token("deriv", match.group(1), index))
        return match.end()
    end = index
    while end < len(text) and text[end].isascii() and text[end].isalpha():
        end += 1
    pieces = _split_words(text, index, end)
    if _looks_like_a_function(pieces) and text[end:].lstrip().startswith("("):
        run = text[index:end]
        hint = suggestion(run, FUNCTION_SPELLINGS)
        message = (f"I don't know the function {run!r}{hint} "
                   "(for a product of letters, put * between them)")  # fmt: skip
        raise MathSyntaxError(message, index, text)
    for position, word in pieces[:-1]:
        _word(text, position, word, tokens, position + len(word))
    last_position, last_word = pieces[-1]
    return _word(text, last_position, last_word, tokens, end)


def _looks_like_a_function(pieces: list[tuple[int, str]]) -> bool:
    """``sine``, ``tanhh``, ``foo``: three or more letters that are not a known function (``xy(`` is
    too short to be one; ``pir(`` and ``thetax(`` are products of letters and a named constant)."""
    words = [word for _, word in pieces]
    if len("".join(words)) < 3 or words[-1] in FUNCTIONS or words[-1] in ALIASES:
        return False
    named = [word for word in words if word == "pi" or word in GREEK_NAMES or word in GREEK_CAPITALS]
    return not (named and all(len(word) == 1 or word in named for word in words))


def _split_words(text: str, start: int, end: int) -> list[tuple[int, str]]:
    pieces, position = [], start
    while position < end:
        word = next((w for w in PLAIN_WORDS if text.startswith(w, position, end)), text[position])
        pieces.append((position, word))
        position += len(word)
    return pieces


def _word(text: str, position: int, word: str, tokens: list[Token], end: int) -> int:
    """One known word or letter at ``position``; returns where reading continues."""
    if word in WORDS:
        tokens.append(Token("word", word, position))
    elif word in DEGREE_WORDS:
        tokens.append(Token("op", "°", position))
    elif word in CONSTANTS:
        tokens.append(Token("const", CONSTANTS[word], position))
    elif word in FUNCTIONS or word in ALIASES or word in FIXED_BASE_LOGS:
        return _function(text, position, ALIASES.get(word, word), tokens, end)
    else:
        return _name(text, position, end, word, tokens)
    return end


def _function(text: str, position: int, name: str, tokens: list[Token], end: int) -> int:
    """A function name; ``log10``, ``log2`` and ``lg`` carry their base as ``log_b`` does."""
    if name in FIXED_BASE_LOGS:
        tokens += _synthetic(position, ("func", "log"), ("op", "_"), ("num", str(FIXED_BASE_LOGS[name])))
        return end
    tokens.append(Token("func", name, position))
    if name == "log" and (base := _DIGITS.match(text, end)):
        tokens += _synthetic(end, ("op", "_"), ("num", base.group()))
        return base.end()
    return end


def _name(text: str, position: int, end: int, name: str, tokens: list[Token]) -> int:
    """A variable name with what may follow it: a subscript (``x_1``, ``x_{12}``, ``x₁``, and ``x1``,
    which is the same name) and primes (``f'``, ``y''``)."""
    if match := _SUBSCRIPT.match(text, end):
        subscript = match.group(1) or match.group(2) or match.group(3).translate(SUBSCRIPTS)
        name, end = f"{name}_{subscript}", match.end()
    elif (digits := _DIGITS.match(text, end)) and text[digits.end() : digits.end() + 1] != ".":
        name, end = f"{name}_{digits.group()}", digits.end()
    while text[end : end + 1] in {"'", "′"}:
        name, end = name + "'", end + 1
    tokens.append(Token("letter", name, position))
    return end


def _latex(text: str, index: int, tokens: list[Token]) -> int:
    if match := _LATEX_DERIVATIVE.match(text, index):
        tokens.append(Token("deriv", match.group(1), index))
        return match.end()
    if match := _ENVIRONMENT.match(text, index):
        return _environment(text, match, tokens)
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
        if kind == "letter":
            return _name(text, index, match.end(), value, tokens)
        if kind == "func":
            return _function(text, index, value, tokens, match.end())
        tokens.append(Token(kind, value, index))
        return match.end()
    if name in LATEX_TEXT:
        return _latex_text(text, match.end(), index, tokens)
    hint = suggestion(name, sorted(LATEX_COMMANDS))
    raise MathSyntaxError(f"I don't know the LaTeX command \\{name}{hint}", index, text)


def _environment(text: str, match: re.Match[str], tokens: list[Token]) -> int:
    """``\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}``: matrices are the only environments read."""
    command, environment = match.groups()
    if environment not in MATRIX_ENVIRONMENTS:
        message = f"I can't read the LaTeX environment {environment!r} (only matrices, like bmatrix)"
        raise MathSyntaxError(message, match.start(), text)
    tokens.append(Token("op", "matrix[" if command == "begin" else "matrix]", match.start()))
    return match.end()


def _latex_text(text: str, start: int, index: int, tokens: list[Token]) -> int:
    """``\\text{ or }`` is a word, ``\\operatorname{sech}`` a function; other words are not math."""
    match = re.compile(r"\s*\{([^{}\\]*)\}").match(text, start)
    if match is None:
        raise MathSyntaxError("\\text needs its words in braces, like \\text{ or }", index, text)
    words = match.group(1).strip()
    if words in WORDS:
        tokens.append(Token("word", words, index))
    elif words in DEGREE_WORDS:
        tokens.append(Token("op", "°", index))
    elif words in CONSTANTS or words in FUNCTIONS or words in ALIASES or words in FIXED_BASE_LOGS:
        inner: list[Token] = []
        _letters(words, 0, inner)
        tokens += [Token(token.kind, token.text, index) for token in inner]
    elif words:
        raise MathSyntaxError(f"The words {words!r} are not math I can check", index, text)
    return match.end()
