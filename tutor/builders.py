"""The allow-listed SymPy constructors the parser may call, with their size checks."""

from __future__ import annotations

import operator
from collections.abc import Callable

import sympy

from tutor.lexer import MathSyntaxError
from tutor.limits import check_factorial, check_power

PLUS_MINUS = sympy.Symbol("plus_minus_sign")  # stands for ±1 until the alternatives are expanded

ONE_ARGUMENT: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "sqrt": sympy.sqrt, "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "cot": sympy.cot,
    "sec": sympy.sec, "csc": sympy.csc, "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan,
    "ln": sympy.log, "exp": sympy.exp, "abs": sympy.Abs,
    "log": lambda x: sympy.log(x, 10),
}  # fmt: skip


def expressions(*values: sympy.Basic) -> None:
    """Refuse sets, points and relations where a number is needed: SymPy half-builds such objects
    (``{1, y}!``) and fails later, in the middle of a check, with an error no learner can read."""
    if not all(isinstance(value, sympy.Expr) and not isinstance(value, sympy.Tuple) for value in values):
        raise TypeError("this needs a number or an expression, not a set, point or equation")


ARITHMETIC: dict[str, Callable[[sympy.Expr, sympy.Expr], sympy.Expr]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "±": lambda a, b: a + PLUS_MINUS * b, "∓": lambda a, b: a - PLUS_MINUS * b,
}  # fmt: skip


def arithmetic(operation: str, left: sympy.Basic, right: sympy.Basic) -> sympy.Expr:
    """``left operation right`` on expressions only: SymPy's ``*`` repeats a point (``(1, 2)*10^7`` builds
    ten million items) and its ``+`` joins points."""
    expressions(left, right)
    return ARITHMETIC[operation](left, right)


def apply_function(name: str, arguments: list[sympy.Basic]) -> sympy.Basic:
    """Call an allow-listed function; ``diff`` builds an unevaluated derivative."""
    expressions(*arguments)
    if name == "diff":
        if len(arguments) == 1 and len(arguments[0].free_symbols) == 1:
            arguments.append(next(iter(arguments[0].free_symbols)))
        if len(arguments) != 2 or not isinstance(arguments[1], sympy.Symbol):
            raise ValueError("write it as diff(expression, variable)")
        return sympy.Derivative(arguments[0], arguments[1])
    if name == "factorial" and len(arguments) == 1:
        return factorial(arguments[0])
    if name == "log" and len(arguments) == 2:
        return sympy.log(arguments[0], arguments[1])
    if len(arguments) != 1:
        raise ValueError(f"{name} takes one input, not {len(arguments)}")
    return ONE_ARGUMENT[name](arguments[0])


def number(text: str) -> sympy.Rational:
    whole, _, decimals = text.partition(".")
    return sympy.Rational(int(whole + decimals or "0"), 10 ** len(decimals))


def power(base: sympy.Basic, exponent: sympy.Basic) -> sympy.Basic:
    expressions(base, exponent)
    check_power(base, exponent)
    return base**exponent


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


def expand_plus_minus(value: sympy.Basic) -> sympy.Basic:
    """Replace the ± placeholder by both signs: relations become ``Or``, expressions a two-element set."""
    if not value.has(PLUS_MINUS):
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
