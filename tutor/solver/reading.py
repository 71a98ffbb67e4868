"""Reading the learner's current state: the parsed meaning plus what the raw layout still shows."""

from __future__ import annotations

import re

import sympy
from sympy.parsing.sympy_parser import parse_expr

from tutor.problems.notation import _NAMES, _TRANSFORMS, _python_syntax, split_relation

_RELATIONS = {"=": sympy.Eq, "<": sympy.Lt, ">": sympy.Gt, "<=": sympy.Le, ">=": sympy.Ge}


class StateError(ValueError):
    """The learner's current state cannot be read or does not follow from the problem."""


def read_state(text: str) -> sympy.Basic:
    """Parse a state with the shared parser; errors become StateError with the parser's words."""
    try:
        return _parse(text)
    except (ValueError, TypeError, SyntaxError) as error:
        raise StateError(f"cannot read {text!r}: {error}") from error


def _parse(text: str) -> sympy.Basic:
    if re.search(r"\bor\b", text):
        return sympy.Or(*(_parse(part) for part in re.split(r"\bor\b", text)))
    if "," in text:
        return sympy.And(*(_parse(part) for part in text.split(",")))
    relation = split_relation(text)
    if relation:
        lhs, op, rhs = relation
        return _RELATIONS[op](_parse(lhs), _parse(rhs))
    return parse_expr(_python_syntax(text), local_dict=dict(_NAMES), transformations=_TRANSFORMS)


def has_brackets(text: str) -> bool:
    """Whether a side still has brackets to multiply out (``3(x - 2)``), which parsing hides."""
    return re.search(r"[\dx)]\s*\(|\)\s*[\dx(]|-\s*\(", text) is not None
