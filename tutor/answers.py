"""Final answers: find them in model output, normalise their notation, and compare them.

MATH-style answers come in many spellings of the same value (``\\dfrac{1}{2}``, ``0.5``, ``1,000``,
``90^\\circ``, ``\\$18.90``, ``x \\in [-2, 7]``). They are normalised to one notation, compared as math
when both sides parse, and otherwise compared as normalised text (names, multiple-choice letters).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sympy

from tutor.conventions import DEFAULT, Conventions
from tutor.forms import form_failure, parse_form
from tutor.latex import last_command_argument, last_math_segment
from tutor.parse import MathSyntaxError, parse_math, typed_tree
from tutor.rounding import rounding_failure
from tutor.units import Unit, split_unit

_ANSWER_PHRASE = re.compile(r"(?:final answer|answer)\s*(?:is|:|=)\s*:?\s*(.+)", re.IGNORECASE)
_REPLACEMENTS = [
    (r"\\[dt]frac", r"\\frac"),
    (r"(?<!\\)\\(?:!|,|;|:| )", ""),  # LaTeX spacing, but not a row break \\ before a space
    (r"\\?%", ""),
    (r"\\?\$", ""),
    (r"\\displaystyle", ""),
]
# An angle answer in degrees is its number (90^\circ answers 90); inside cos(58°) the parser reads
# degrees, so only a mark at the very end is dropped.
_FINAL_DEGREES = re.compile(r"(?:\^\s*\{?\s*\\circ\s*\}?|°|\\degree|\\text\{\s*degrees?\s*\}|\bdegrees?)$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_MIXED_NUMBER = re.compile(r"^(\d+)\s*\\frac\{(\d+)\}\{(\d+)\}$")
_TEXT = re.compile(r"\\(?:text|mbox|textrm|mathrm|textbf)\{([^{}]*)\}")
# Answers compared as text, not math: a name or a word (Evelyn, east), a choice letter ((C)), a numeral
# in another base (52_8, 4210_{5}).
_WORDS = re.compile(r"[A-Za-z][A-Za-z' -]*")
_CHOICE = re.compile(r"\(?[A-Za-z]\)?")
_BASE_NUMERAL = re.compile(r"[0-9A-Z]+_\{?\d+\}?")


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
    return _normalise(text)[0]


def unreadable_answer(text: str, *, conventions: Conventions = DEFAULT) -> str | None:
    """Why the answer checker cannot read ``text`` as a final answer, or None when it can: math it
    parses, or an answer it compares as text (a name, a choice letter, a numeral in another base)."""
    answer = normalise_answer(text)
    if not answer:
        return "there is no answer"
    try:
        parse_math(answer, conventions=conventions)
    except MathSyntaxError as error:
        return None if written_as_text(answer) else f"the answer is not readable math: {error}"
    return None


def is_text_answer(text: str, *, conventions: Conventions = DEFAULT) -> bool:
    """Whether ``text`` is an answer the checker compares as text, not math (``\\text{Evelyn}``,
    ``\\text{(C)}``, ``52_8``)."""
    answer = normalise_answer(text)
    try:
        parse_math(answer, conventions=conventions)
    except MathSyntaxError:
        return written_as_text(answer)
    return False


def written_as_text(text: str) -> bool:
    """Whether ``text`` is written like a text answer: a name or word, a choice letter or a numeral in
    another base (some of which, like ``Bob``, also parse as math)."""
    plain = _TEXT.sub(r"\1", normalise_answer(text)).strip()
    return bool(plain) and any(pattern.fullmatch(plain) for pattern in (_WORDS, _CHOICE, _BASE_NUMERAL))


def _normalise(text: str) -> tuple[str, Unit | None]:
    """The normalised answer and the unit that followed its number, if any."""
    answer = extract_answer(text) if ("\\boxed" in text or "$" in text.replace("\\$", "")) else text
    answer = (answer or "").strip().rstrip(".").strip()
    for pattern, replacement in _REPLACEMENTS:
        answer = re.sub(pattern, replacement, answer)
    answer = _without_final_degrees(answer.strip())
    answer, unit = split_unit(answer)
    answer = answer.strip()
    if _THOUSANDS.match(answer):
        answer = answer.replace(",", "")
    if match := _MIXED_NUMBER.match(answer):
        whole, numerator, denominator = match.groups()
        answer = f"{whole} + \\frac{{{numerator}}}{{{denominator}}}"
    return answer, unit


def _without_final_degrees(answer: str) -> str:
    """Only the last few characters are searched: model output can be very long."""
    match = _FINAL_DEGREES.search(answer, max(0, len(answer) - 20))
    return answer[: match.start()].rstrip() if match else answer


def answers_match(submitted: str, expected: str, *, conventions: Conventions = DEFAULT) -> bool | None:
    """Whether two answers are the same: True, False, or None when it could not be settled exactly.

    Math is compared as math, letter case included (``X`` is not ``x``); only answers that are not
    math on one side (names, multiple-choice letters) are compared as text, ignoring case."""
    (submitted, submitted_unit), (expected, expected_unit) = _normalise(submitted), _normalise(expected)
    factor = sympy.Integer(1)
    if submitted_unit and expected_unit:
        factor = submitted_unit.conversion(expected_unit)
        if factor is None:
            return False  # 8.19 cm does not answer 8.19 kg
    if factor == 1 and _compact(submitted) == _compact(expected):
        return True
    try:
        submitted_value = parse_math(submitted, conventions=conventions)
        expected_value = parse_math(expected, conventions=conventions)
    except MathSyntaxError:
        return factor == 1 and _plain(submitted) == _plain(expected)
    if factor != 1:
        if not isinstance(submitted_value, sympy.Expr):
            return False
        submitted_value = submitted_value * factor
    return values_match(submitted_value, expected_value)


def grade_answer(
    submitted: str, expected: str, form: str = "equivalent", *, conventions: Conventions = DEFAULT
) -> tuple[bool | None, str | None]:
    """(whether the value is right, the answer-form rule it breaks or None), for ``check_answer``; the
    value is None when it could not be settled exactly.

    The form is judged on what the learner typed, never on SymPy's evaluated value: ``6/8`` and ``3/4``
    are the same number but only one of them is in lowest terms.
    """
    spec = parse_form(form)
    if spec.rounded and (numbers := _numbers(expected, conventions)) is not None:
        try:
            typed = typed_tree(normalise_answer(submitted), conventions=conventions)
            rounded, failure = rounding_failure(typed, numbers, spec)
        except MathSyntaxError:
            return False, None
        if not rounded and answers_match(submitted, expected, conventions=conventions):
            places = "decimal places" if spec.kind == "decimal" else "significant figures"
            return True, f"it is not written as a decimal to {spec.digits} {places}"
        return rounded, failure
    match = answers_match(submitted, expected, conventions=conventions)
    if not match:
        return match, None  # False, or None when it could not be settled
    if spec.kind == "equivalent":
        return True, None
    try:
        tree = typed_tree(normalise_answer(submitted), conventions=conventions)
    except MathSyntaxError:
        return True, None  # matched as text (a name, a multiple-choice letter): no form to check
    return True, form_failure(tree, spec)


def _numbers(expected: str, conventions: Conventions = DEFAULT) -> list[sympy.Expr] | None:
    """The real numbers an expected answer stands for (``x = 1 ± sqrt(2)`` is two), or None."""
    try:
        value = parse_math(normalise_answer(expected), conventions=conventions)
    except MathSyntaxError:
        return None
    value = _as_values(value, sympy.FiniteSet())
    items = list(value.args) if isinstance(value, sympy.FiniteSet) else [value]
    if all(isinstance(item, sympy.Expr) and item.is_number and item.is_real for item in items):
        return items
    return None


def values_match(submitted: sympy.Basic, expected: sympy.Basic) -> bool | None:
    """Compare parsed answers: numbers by value, sets and points element by element, intervals as sets."""
    from tutor.equality import expressions_equal
    from tutor.solution_sets import UnsolvableError, solution_set

    submitted, expected = _as_values(submitted, expected), _as_values(expected, submitted)
    if isinstance(submitted, sympy.Expr) and isinstance(expected, sympy.Expr):
        if isinstance(submitted, sympy.Tuple) or isinstance(expected, sympy.Tuple):
            return _sequences_match(submitted, expected, expressions_equal)
        return expressions_equal(submitted, expected)
    if isinstance(submitted, sympy.FiniteSet) and isinstance(expected, sympy.FiniteSet):
        return _sequences_match(list(submitted), list(expected), expressions_equal, any_order=True)
    variables = sorted(submitted.free_symbols | expected.free_symbols, key=str)
    if len(variables) > 1:
        if _points(submitted) is not None and _points(expected) is not None:
            return _points_match(submitted, expected, expressions_equal)
        return statements_match(submitted, expected)
    variable = variables[0] if variables else sympy.Symbol("x", real=True)
    try:
        return solution_set(submitted, variable) == solution_set(expected, variable)
    except (UnsolvableError, TypeError, ValueError, NotImplementedError):
        return None


def statements_match(submitted: sympy.Basic, expected: sympy.Basic) -> bool | None:
    """Statements in several letters: the same up to constant factors, the same when solved for one
    letter, or different at a point; otherwise unsettled."""
    from tutor.relations import compare_solved, counterexample, same_statement
    from tutor.solution_sets import is_statement

    if not all(is_statement(value) for value in (submitted, expected)):
        return False
    if same_statement(submitted, expected):
        return True
    if counterexample(submitted, expected) or counterexample(expected, submitted):
        return False
    if isinstance(submitted, sympy.Eq) and isinstance(expected, sympy.Eq):
        compared = compare_solved(submitted, expected)
        if compared is not None:
            return compared == ([], [])
    return None


def _as_values(value: sympy.Basic, other: sympy.Basic) -> sympy.Basic:
    """``x = 3`` answers ``3``; ``x = 2 or x = -2`` answers ``{2, -2}``; ``(a, b)`` may be an interval."""
    if _is_assignment(value) and isinstance(other, sympy.Expr | sympy.FiniteSet):
        return value.rhs
    if isinstance(value, sympy.Or) and _assignments_to_one_letter(value.args):
        return sympy.FiniteSet(*(arg.rhs for arg in value.args))
    interval_like = isinstance(other, sympy.Set | sympy.Rel | sympy.And)
    if isinstance(value, sympy.Tuple) and len(value) == 2 and interval_like:
        return sympy.Interval.open(*value)
    if isinstance(value, sympy.Expr) and isinstance(other, sympy.FiniteSet):
        return sympy.FiniteSet(value)
    return value


def _assignments_to_one_letter(statements: tuple[sympy.Basic, ...]) -> bool:
    return all(_is_assignment(arg) for arg in statements) and len({arg.lhs for arg in statements}) == 1


def _is_assignment(value: sympy.Basic) -> bool:
    return isinstance(value, sympy.Eq) and isinstance(value.lhs, sympy.Symbol)


Point = dict[sympy.Symbol, sympy.Expr]


def _points_match(
    submitted: sympy.Basic, expected: sympy.Basic, equal: Callable[..., bool | None]
) -> bool | None:
    """Solutions of a system, ``x = 6, y = 10``, match in any order of the variables and of the points."""
    submitted_points, expected_points = _points(submitted), _points(expected)
    if submitted_points is None or expected_points is None:
        return False

    def same_point(first: Point, second: Point) -> bool | None:
        if first.keys() != second.keys():
            return False
        return _all_of([equal(first[symbol], second[symbol]) for symbol in first])

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


def _sequences_match(first, second, equal, any_order: bool = False) -> bool | None:
    """Item by item (or as multisets): False as soon as an item has no match, None if one is unsettled."""
    if len(first) != len(second):
        return False
    if not any_order:
        return _all_of([equal(a, b) for a, b in zip(first, second, strict=True)])
    remaining, unsettled = list(second), False
    for item in first:
        verdicts = [(equal(item, other), other) for other in remaining]
        match = next((other for verdict, other in verdicts if verdict is True), None)
        if match is None:
            if all(verdict is False for verdict, _ in verdicts):
                return False
            unsettled = True
            continue
        remaining.remove(match)
    return None if unsettled else True


def _all_of(verdicts: list[bool | None]) -> bool | None:
    if False in verdicts:
        return False
    return None if None in verdicts else True


def _compact(answer: str) -> str:
    return re.sub(r"\s+|\\left|\\right", "", answer)


def _plain(answer: str) -> str:
    """Text form for answers that are not math: ``\\text{(C)}`` and ``C`` agree, case and spaces ignored."""
    answer = _TEXT.sub(r"\1", answer)
    answer = re.sub(r"\s+|\\left|\\right", "", answer).lower()
    return re.sub(r"^\(([a-z])\)$", r"\1", answer)
