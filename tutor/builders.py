"""The allow-listed SymPy constructors the parser may call, with their size checks."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

import sympy
from sympy.core.parameters import global_parameters

from tutor.lexer import MathSyntaxError
from tutor.limits import check_factorial, check_matrix, check_power
from tutor.vocabulary import VULGAR_FRACTIONS

PLUS_MINUS = sympy.Symbol("plus_minus_sign")  # stands for ±1 until the alternatives are expanded
_PLAIN_DECIMAL = re.compile(r"\d*\.\d+|\d+\.")

ONE_ARGUMENT: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "sqrt": sympy.sqrt, "cbrt": lambda x: sympy.root(x, 3), "sin": sympy.sin, "cos": sympy.cos,
    "tan": sympy.tan, "cot": sympy.cot, "sec": sympy.sec, "csc": sympy.csc, "asin": sympy.asin,
    "acos": sympy.acos, "atan": sympy.atan, "acot": sympy.acot, "asec": sympy.asec, "acsc": sympy.acsc,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh, "coth": sympy.coth, "sech": sympy.sech,
    "csch": sympy.csch, "asinh": sympy.asinh, "acosh": sympy.acosh, "atanh": sympy.atanh,
    "ln": sympy.log, "exp": sympy.exp, "abs": sympy.Abs, "floor": sympy.floor, "ceil": sympy.ceiling,
}  # fmt: skip
LOG_BASES = {"10": sympy.Integer(10), "e": sympy.E}
DEGREE = sympy.pi / 180


def expressions(*values: sympy.Basic) -> None:
    """Refuse sets, points, relations and matrices where a number is needed: SymPy half-builds such
    objects (``{1, y}!``) and fails later, in the middle of a check, with an error no learner can read."""
    if not all(isinstance(value, sympy.Expr) and not isinstance(value, sympy.Tuple) for value in values):
        raise TypeError("this needs a number or an expression, not a set, point or equation")
    if any(isinstance(value, sympy.MatrixBase) for value in values):
        raise TypeError("I can read a matrix as an answer but not calculate with it; write the result")


ARITHMETIC: dict[str, Callable[[sympy.Expr, sympy.Expr], sympy.Expr]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "±": lambda a, b: a + PLUS_MINUS * b, "∓": lambda a, b: a - PLUS_MINUS * b,
}  # fmt: skip


def _chain(kind: type[sympy.Add] | type[sympy.Mul], left: sympy.Expr, right: sympy.Expr) -> sympy.Expr:
    """``a + b + c`` as one node, not nested ones: a long typed chain must not nest deeper than Python
    can recurse. A product is only extended when it holds no division (``a/b·c`` stays ``(a/b)·c``)."""
    divides = kind is sympy.Mul and any(isinstance(f, sympy.Pow) and f.exp == -1 for f in left.args)
    if type(left) is kind and not divides and not (kind is sympy.Mul and left.args[0] == -1):
        return kind(*left.args, right, evaluate=False)
    return kind(left, right, evaluate=False)


TYPED_ARITHMETIC: dict[str, Callable[[sympy.Expr, sympy.Expr], sympy.Expr]] = {
    "+": lambda a, b: _chain(sympy.Add, a, b),
    "-": lambda a, b: _chain(sympy.Add, a, sympy.Mul(-1, b, evaluate=False)),
    "*": lambda a, b: _chain(sympy.Mul, a, b),
    "/": lambda a, b: sympy.Mul(a, sympy.Pow(b, -1, evaluate=False), evaluate=False),
    "±": lambda a, b: sympy.Add(a, sympy.Mul(PLUS_MINUS, b, evaluate=False), evaluate=False),
    "∓": lambda a, b: sympy.Add(a, sympy.Mul(-1, PLUS_MINUS, b, evaluate=False), evaluate=False),
}


def evaluating() -> bool:
    """False while :func:`tutor.typed.typed_tree` builds the learner's line exactly as typed."""
    return bool(global_parameters.evaluate)


def arithmetic(operation: str, left: sympy.Basic, right: sympy.Basic) -> sympy.Expr:
    """``left operation right`` on expressions only: SymPy's ``*`` repeats a point (``(1, 2)*10^7`` builds
    ten million items) and its ``+`` joins points. Unevaluated, every operation stays a node of its own
    (SymPy's number arithmetic ignores ``evaluate(False)``: ``-(-3)`` would still become ``3``)."""
    expressions(left, right)
    return (ARITHMETIC if evaluating() else TYPED_ARITHMETIC)[operation](left, right)


def apply_function(name: str, arguments: list[sympy.Basic], *, log_base: str = "10") -> sympy.Basic:
    """Call an allow-listed function; ``diff`` builds an unevaluated derivative, a bare ``log`` has
    the base the course chose (``log_base``), ``log(x, b)`` and ``log_b(x)`` the base given."""
    expressions(*arguments)
    if name == "diff":
        if len(arguments) == 1 and len(arguments[0].free_symbols) == 1:
            arguments.append(next(iter(arguments[0].free_symbols)))
        if len(arguments) != 2 or not isinstance(arguments[1], sympy.Symbol):
            raise ValueError("write it as diff(expression, variable)")
        return sympy.Derivative(arguments[0], arguments[1])
    if name == "binom":
        if len(arguments) != 2:
            raise ValueError("a binomial coefficient takes two numbers, like binom(5, 2) or nCr(5, 2)")
        check_factorial(arguments[0])
        return sympy.binomial(*arguments)
    if name == "factorial" and len(arguments) == 1:
        return factorial(arguments[0])
    if name == "log" and len(arguments) == 2:
        if arguments[1] in (0, 1) or arguments[1].is_negative:
            raise ValueError("a logarithm's base must be positive and not 1")
        return sympy.log(arguments[0], arguments[1])
    if len(arguments) != 1:
        raise ValueError(f"{name} takes one input, not {len(arguments)}")
    if name == "log":
        return sympy.log(arguments[0], LOG_BASES[log_base])
    return ONE_ARGUMENT[name](arguments[0])


class Decimal(sympy.AtomicExpr):
    """A decimal exactly as the learner typed it (``0.50``, not ``1/2``), for display and answer forms."""

    __slots__ = ("text",)
    is_number = True
    is_commutative = True
    is_comparable = True
    is_extended_real = True
    is_real = True
    is_finite = True

    def __new__(cls, text: str) -> Decimal:
        atom = super().__new__(cls)
        atom.text = text
        return atom

    def __getnewargs__(self) -> tuple[str]:
        return (self.text,)

    def _hashable_content(self) -> tuple[str]:
        return (self.text,)

    @property
    def places(self) -> int:
        return len(self.text.partition(".")[2])

    @property
    def value(self) -> sympy.Rational:
        whole, _, decimals = self.text.partition(".")
        return sympy.Rational(int(whole + decimals or "0"), 10 ** len(decimals))

    def doit(self, **hints: object) -> sympy.Rational:
        return self.value

    def _eval_is_positive(self) -> bool:
        return bool(self.value.is_positive)

    def _eval_is_zero(self) -> bool:
        return self.value == 0

    def _eval_is_integer(self) -> bool:
        return bool(self.value.is_integer)

    def _eval_evalf(self, prec: int) -> sympy.Float:
        return self.value._eval_evalf(prec)

    def _latex(self, printer: object) -> str:
        return self.text

    def _sympystr(self, printer: object) -> str:
        return self.text


def number(text: str) -> sympy.Expr:
    """The exact value of a typed number: ``0.5``, ``1.9E+27``, ``½`` or the mixed number ``1½``.

    Unevaluated (:func:`tutor.parse.typed_tree`), a plain decimal keeps its digits (``0.50``); any other
    number is its exact value, built with evaluation on (``3`` must not become ``0 + 3``)."""
    if not evaluating():
        if _PLAIN_DECIMAL.fullmatch(text):
            return Decimal(text)
        with sympy.evaluate(True):
            return number(text)
    if text[-1] in VULGAR_FRACTIONS:
        fraction = VULGAR_FRACTIONS[text[-1]]
        whole = int(text[:-1] or "0")
        return sympy.Integer(whole) + sympy.Rational(fraction.numerator, fraction.denominator)
    mantissa, _, exponent = text.lower().partition("e")
    whole, _, decimals = mantissa.partition(".")
    value = sympy.Rational(int(whole + decimals or "0"), 10 ** len(decimals))
    return value * sympy.Integer(10) ** int(exponent) if exponent else value


def matrix(rows: list[list[sympy.Basic]]) -> sympy.ImmutableMatrix:
    """A matrix from its rows, which must all be as long as each other."""
    expressions(*(entry for row in rows for entry in row))
    if len({len(row) for row in rows}) != 1:
        raise ValueError("every row of a matrix needs the same number of entries")
    check_matrix(len(rows), len(rows[0]))
    return sympy.ImmutableMatrix(rows)


def power(base: sympy.Basic, exponent: sympy.Basic) -> sympy.Basic:
    expressions(base, exponent)
    check_power(base, exponent)
    return base**exponent if evaluating() else sympy.Pow(base, exponent, evaluate=False)


def root(radicand: sympy.Basic, index: sympy.Basic) -> sympy.Basic:
    """The ``index``-th root, size-checked like the power ``radicand^(1/index)`` that it is."""
    expressions(radicand, index)
    check_power(radicand, 1 / index)
    return sympy.root(radicand, index)


def factorial(argument: sympy.Basic) -> sympy.Basic:
    expressions(argument)
    check_factorial(argument)
    return sympy.factorial(argument)


def as_set(value: sympy.Basic) -> sympy.Set:
    """A point ``(a, b)`` next to ``∪`` is the open interval it looks like."""
    if isinstance(value, sympy.Tuple) and len(value) == 2:
        return sympy.Interval.open(*value)
    if isinstance(value, sympy.Set):
        return value
    raise TypeError("∪ joins intervals or sets")


def union(left: sympy.Basic, right: sympy.Basic) -> sympy.Set:
    """``left ∪ right``; as typed, the two sets stay as written (SymPy still orders them, which needs
    comparisons that only evaluate with evaluation on)."""
    sets = as_set(left), as_set(right)
    if evaluating():
        return sympy.Union(*sets)
    with sympy.evaluate(True):
        return sympy.Union(*sets, evaluate=False)


def expand_plus_minus(value: sympy.Basic) -> sympy.Basic:
    """Replace the ± placeholder by both signs: relations become ``Or``, expressions a two-element set.
    Unevaluated, the ± stays as typed."""
    if not value.has(PLUS_MINUS) or not evaluating():
        return value
    if isinstance(value, sympy.Rel):
        return sympy.Or(*(type(value)(value.lhs.subs(PLUS_MINUS, s), value.rhs.subs(PLUS_MINUS, s),
                                      evaluate=False) for s in (1, -1)))  # fmt: skip
    if isinstance(value, sympy.Expr):
        return sympy.FiniteSet(value.subs(PLUS_MINUS, 1), value.subs(PLUS_MINUS, -1))
    if isinstance(value, sympy.FiniteSet):
        expanded = (expand_plus_minus(item) for item in value.args)
        return sympy.Union(*(i if isinstance(i, sympy.Set) else sympy.FiniteSet(i) for i in expanded))
    if isinstance(value, sympy.Or | sympy.And):
        return type(value)(*(expand_plus_minus(arg) for arg in value.args))
    raise MathSyntaxError("± can only be used in a number, expression or equation")
