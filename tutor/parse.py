"""Safe parsing of learner math into SymPy objects.

A Pratt parser over the tokens from :mod:`tutor.lexer` that only ever calls SymPy constructors from an
allow-list: no ``eval``, no ``sympify`` of strings, so no input can run code. Sizes are checked before
SymPy evaluates anything (see :mod:`tutor.limits`).

Result shapes: an ``Expr``; a relation (``Eq``, ``Lt``, ``Le``, ``Gt``, ``Ge``, ``Ne``); ``Or`` of
relations for alternatives (``x = 2 or x = -2``, ``x = 2, -2``, ``x = ±2``); ``And`` of relations for a
system (``x+y=3, x-y=1``, or separated by ``;``, ``and`` or a new line); ``Tuple`` for a point;
``Interval`` / ``Union`` for intervals; ``FiniteSet`` for ``{1, 2}`` or a bare list ``1, -2``.

:func:`typed_tree` reads the same text without evaluating anything (``42 + 8`` stays a sum, ``6/8`` a
fraction, ``0.50`` keeps its digits): what the learner wrote, for display and for the answer-form rules.
"""

from __future__ import annotations

import sympy

from tutor.conventions import DEFAULT, Conventions
from tutor.latex import last_command_argument, last_math_segment
from tutor.lexer import MathSyntaxError, tokenize
from tutor.limits import MAX_INPUT_CHARS
from tutor.pratt import Parser
from tutor.typed import typed_latex_of

__all__ = ["Conventions", "MathSyntaxError", "parse_math", "to_latex", "typed_latex", "typed_tree"]


def parse_math(text: str, *, conventions: Conventions = DEFAULT) -> sympy.Basic:
    """Parse what a learner typed (plain text, Unicode or LaTeX) into a SymPy object.

    ``conventions`` says what ``log`` means and whether ``e`` and ``i`` are constants (the default)
    or variables of the problem."""
    return _parse(text, conventions)


def typed_tree(text: str, *, conventions: Conventions = DEFAULT) -> sympy.Basic:
    """What the learner typed as an unevaluated SymPy tree: same numbers, operations and order.

    The text is first read as :func:`parse_math` reads it, so it fails with the same errors (a division
    by zero, a number too large) and nothing is built that the checker would refuse.
    """
    _parse(text, conventions)
    with sympy.evaluate(False):
        return _parse(text, conventions)


def typed_latex(text: str, *, conventions: Conventions = DEFAULT) -> str:
    """LaTeX of exactly what was typed (``42 + 8``, never ``50``); MathSyntaxError when it is not math."""
    return typed_latex_of(typed_tree(text, conventions=conventions))


def _parse(text: str, conventions: Conventions) -> sympy.Basic:
    if not isinstance(text, str):
        raise MathSyntaxError(f"Expected text to read as math, got {type(text).__name__}")
    if len(text) > MAX_INPUT_CHARS:
        raise MathSyntaxError(f"This is too long to check (the limit is {MAX_INPUT_CHARS} characters)")
    offset, body = _math_part(text)
    if not body.strip():
        raise MathSyntaxError("There is no math here to read", offset if text.strip() else None)
    try:
        return Parser(tokenize(body), body, conventions).parse()
    except MathSyntaxError as error:
        if offset == 0 or error.position is None:
            raise
        message = str(error).split(" (at position")[0]
        raise MathSyntaxError(message, error.position + offset, text) from None


def _math_part(text: str) -> tuple[int, str]:
    """The part of ``text`` that holds the math: inside the last ``\\boxed{}`` or ``$...$`` (pieces
    ``$$a$$ $$b$$`` typed one after the other are read whole)."""
    offset = 0
    if segment := last_math_segment(text):
        offset, text = segment
    if boxed := last_command_argument(text, ("boxed", "fbox")):
        inner_offset, text = boxed
        offset += inner_offset
    return offset, text


def to_latex(obj: sympy.Basic) -> str:
    """LaTeX for previews, writing alternatives with "or" and systems one relation after another."""
    if isinstance(obj, sympy.Or):
        return r" \text{ or } ".join(to_latex(arg) for arg in _ordered(obj.args))
    if isinstance(obj, sympy.And):
        return r", \quad ".join(to_latex(arg) for arg in _ordered(obj.args))
    return sympy.latex(obj)


def _ordered(args: tuple[sympy.Basic, ...]) -> list[sympy.Basic]:
    return sorted(args, key=sympy.default_sort_key)
