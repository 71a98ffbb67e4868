"""Final answers: find them in model output, normalise their notation, and compare them.

MATH-style answers come in many spellings of the same value (``\\dfrac{1}{2}``, ``0.5``, ``1,000``,
``90^\\circ``, ``\\$18.90``, ``x \\in [-2, 7]``). They are normalised to one notation, compared as math
when both sides parse, and otherwise compared as normalised text (names, multiple-choice letters).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sympy

from tutor.latex import last_command_argument, last_math_segment
from tutor.parse import MathSyntaxError, parse_math

_ANSWER_PHRASE = re.compile(r"(?:final answer|answer)\s*(?:is|:|=)\s*:?\s*(.+)", re.IGNORECASE)
_REPLACEMENTS = [
    (r"\\[dt]frac", r"\\frac"),
    (r"\\(?:!|,|;|:| )", ""),
    (r"\^\s*\{?\s*\\circ\s*\}?|°", ""),
    (r"\\?%", ""),
    (r"\\?\$", ""),
    (r"\\text\{\s*degrees?\s*\}|\bdegrees?\b", ""),
    (r"\\displaystyle", ""),
]
_UNIT = re.compile(r"^(.*?[\d}])\s*\\(?:text|mbox|textrm|mathrm)\{\s*[a-zA-Z ]+\}(?:\^\d)?\s*$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_MIXED_NUMBER = re.compile(r"^(\d+)\s*\\frac\{(\d+)\}\{(\d+)\}$")
_TEXT = re.compile(r"\\(?:text|mbox|textrm|mathrm|textbf)\{([^{}]*)\}")


def extract_answer(text: str) -> str | None:
    """The final answer in model output or a sentence: last ``\\boxed{}``, "the answer is …", or ``$…$``."""
    if boxed := last_command_argument(text, ("boxed", "fbox")):
        return boxed[1].strip()
    phrases = _ANSWER_PHRASE.findall(text)
    if phrases:
        phrase = phrases[-1].strip()
        if segment := last_math_segment(phrase):
            return segment[1].strip()
        return phrase.rstrip(". ").strip() or None
    if segment := last_math_segment(text):
        return segment[1].strip()
    return None


def normalise_answer(text: str) -> str:
    """One notation for the same answer: LaTeX spacing, units, degrees, %, $ and thousands commas go."""
    answer = extract_answer(text) if ("\\boxed" in text or "$" in text.replace("\\$", "")) else text
    answer = (answer or "").strip().rstrip(".").strip()
    for pattern, replacement in _REPLACEMENTS:
        answer = re.sub(pattern, replacement, answer)
    if match := _UNIT.match(answer):
        answer = match.group(1)
    answer = answer.strip()
    if _THOUSANDS.match(answer):
        answer = answer.replace(",", "")
    if match := _MIXED_NUMBER.match(answer):
        whole, numerator, denominator = match.groups()
        answer = f"{whole} + \\frac{{{numerator}}}{{{denominator}}}"
    return answer


def answers_match(submitted: str, expected: str) -> bool:
    """Whether two answers are the same: as math when both can be read, otherwise as tidied text."""
    submitted, expected = normalise_answer(submitted), normalise_answer(expected)
    if _plain(submitted) == _plain(expected):
        return True
    try:
        submitted_value, expected_value = parse_math(submitted), parse_math(expected)
    except MathSyntaxError:
        return False
    return values_match(submitted_value, expected_value)


def values_match(submitted: sympy.Basic, expected: sympy.Basic) -> bool:
    """Compare parsed answers: numbers by value, sets and points element by element, intervals as sets."""
    from tutor.judge import expressions_equal
    from tutor.solution_sets import UnsolvableError, solution_set

    submitted, expected = _as_values(submitted, expected), _as_values(expected, submitted)
    if isinstance(submitted, sympy.Expr) and isinstance(expected, sympy.Expr):
        if isinstance(submitted, sympy.Tuple) or isinstance(expected, sympy.Tuple):
            return _sequences_match(submitted, expected, expressions_equal)
        return expressions_equal(submitted, expected) is True
    if isinstance(submitted, sympy.FiniteSet) and isinstance(expected, sympy.FiniteSet):
        return _sequences_match(list(submitted), list(expected), expressions_equal, any_order=True)
    if isinstance(submitted, sympy.Eq) and isinstance(expected, sympy.Eq):
        ratio = sympy.cancel((submitted.lhs - submitted.rhs) / (expected.lhs - expected.rhs))
        return bool(ratio.is_number and ratio != 0)
    variables = sorted(submitted.free_symbols | expected.free_symbols, key=str)
    if len(variables) > 1:
        return _points_match(submitted, expected, expressions_equal)
    variable = variables[0] if variables else sympy.Symbol("x", real=True)
    try:
        return solution_set(submitted, variable) == solution_set(expected, variable)
    except (UnsolvableError, TypeError, ValueError, NotImplementedError):
        return False


def _as_values(value: sympy.Basic, other: sympy.Basic) -> sympy.Basic:
    """``x = 3`` answers ``3``; ``x = 2 or x = -2`` answers ``{2, -2}``; ``(a, b)`` may be an interval."""
    if _is_assignment(value) and not isinstance(other, sympy.Eq):
        return value.rhs
    if isinstance(value, sympy.Or) and all(_is_assignment(arg) for arg in value.args):
        return sympy.FiniteSet(*(arg.rhs for arg in value.args))
    interval_like = isinstance(other, sympy.Set | sympy.Rel | sympy.And)
    if isinstance(value, sympy.Tuple) and len(value) == 2 and interval_like:
        return sympy.Interval.open(*value)
    if isinstance(value, sympy.Expr) and isinstance(other, sympy.FiniteSet):
        return sympy.FiniteSet(value)
    return value


def _is_assignment(value: sympy.Basic) -> bool:
    return isinstance(value, sympy.Eq) and isinstance(value.lhs, sympy.Symbol)


Point = dict[sympy.Symbol, sympy.Expr]


def _points_match(submitted: sympy.Basic, expected: sympy.Basic, equal: Callable[..., bool | None]) -> bool:
    """Solutions of a system, ``x = 6, y = 10``, match in any order of the variables and of the points."""
    submitted_points, expected_points = _points(submitted), _points(expected)
    if submitted_points is None or expected_points is None:
        return False

    def same_point(first: Point, second: Point) -> bool:
        return first.keys() == second.keys() and all(equal(first[s], second[s]) is True for s in first)

    return _sequences_match(submitted_points, expected_points, same_point, any_order=True)


def _points(value: sympy.Basic) -> list[Point] | None:
    """``x = 6, y = 10`` as the point ``{x: 6, y: 10}``; alternatives of such systems as several points.

    None when ``value`` is not made of assignments of numbers (``y = 2x`` is not a solution yet).
    """
    points = []
    for alternative in value.args if isinstance(value, sympy.Or) else (value,):
        equations = alternative.args if isinstance(alternative, sympy.And) else (alternative,)
        if not all(_is_assignment(equation) and not equation.rhs.free_symbols for equation in equations):
            return None
        point = {equation.lhs: equation.rhs for equation in equations}
        if len(point) != len(equations):
            return None  # one variable given two values
        points.append(point)
    return points


def _sequences_match(first, second, equal, any_order: bool = False) -> bool:
    if len(first) != len(second):
        return False
    if not any_order:
        return all(equal(a, b) is True for a, b in zip(first, second, strict=True))
    remaining = list(second)
    for item in first:
        match = next((other for other in remaining if equal(item, other) is True), None)
        if match is None:
            return False
        remaining.remove(match)
    return True


def _plain(answer: str) -> str:
    """Text form for answers that are not math: ``\\text{(C)}`` and ``C`` agree, case and spaces ignored."""
    answer = _TEXT.sub(r"\1", answer)
    answer = re.sub(r"\s+|\\left|\\right", "", answer).lower()
    return re.sub(r"^\(([a-z])\)$", r"\1", answer)
