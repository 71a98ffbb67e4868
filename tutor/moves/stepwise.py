"""Step-by-step evaluation of numeric, monomial and radical expressions, one operation at a time.

SymPy would collapse ``3 + 4 * 2^2`` at once, so this module keeps its own small expression tree: it
reads what the learner typed, finds the next operation in order-of-operations order (innermost,
leftmost first) and carries out just that one. Values are terms ``coef * x^exp * sqrt(rad)``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from fractions import Fraction
from math import isqrt, lcm

import sympy

from tutor.moves import Move
from tutor.moves.reading import StateError


@dataclass(frozen=True)
class Num:
    value: int


@dataclass(frozen=True)
class Var:
    name: str = "x"


@dataclass(frozen=True)
class Neg:
    arg: Node


@dataclass(frozen=True)
class Sqrt:
    arg: Node


@dataclass(frozen=True)
class Bin:
    op: str  # one of + - * / ^
    left: Node
    right: Node


Node = Num | Var | Neg | Sqrt | Bin


@dataclass(frozen=True)
class Term:
    """The value ``coef * x^exp * sqrt(rad)`` with ``rad`` square-free."""

    coef: Fraction
    exp: int = 0
    rad: int = 1


class NotStepwise(ValueError):
    """The text is outside what this evaluator can take apart step by step."""


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4}
_AST_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}


def read(text: str) -> Node:
    """Parse typed notation (``2/3 + 1/4``, ``3x^2 * 4x``, ``2sqrt(12)``) into a tree."""
    source = text.replace("^", "**").replace("÷", "/").replace("×", "*").replace("·", "*").replace("−", "-")
    source = re.sub(r"(\d|\))\s*(?=[x(]|sqrt)", r"\1*", source)
    source = re.sub(r"x\s*(?=[(\d]|sqrt)", "x*", source)
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as error:
        raise NotStepwise(f"cannot read {text!r}") from error
    return _from_ast(tree, text)


def _from_ast(node: ast.AST, text: str) -> Node:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return Num(node.value)
    if isinstance(node, ast.Name) and node.id == "x":
        return Var()
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return Neg(_from_ast(node.operand, text))
    if isinstance(node, ast.BinOp) and type(node.op) in _AST_OPS:
        op, left, right = _AST_OPS[type(node.op)], _from_ast(node.left, text), _from_ast(node.right, text)
        if op in "*/" and isinstance(left, Neg):
            return Neg(Bin(op, left.arg, right))  # -3/4 is read as -(3/4), the way it is meant
        return Bin(op, left, right)
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "sqrt" and len(node.args) == 1:
        return Sqrt(_from_ast(node.args[0], text))
    raise NotStepwise(f"cannot take {text!r} apart step by step")


def show(node: Node) -> str:
    """Print a tree the way a learner types it, with only the brackets that matter."""
    match node:
        case Num(value):
            return str(value)
        case Var(name):
            return name
        case Neg(arg):
            return "-" + (
                f"({show(arg)})" if isinstance(arg, Bin | Neg) and not _is_fraction(arg) else show(arg)
            )
        case Sqrt(arg):
            return f"sqrt({show(arg)})"
        case Bin("/", Num(), Num()):
            return f"{show(node.left)}/{show(node.right)}"
        case Bin("*", Num(), Var() | Sqrt() | Bin("^", Var(), Num())):
            return show(node.left) + show(node.right)
        case Bin(op, left, right):
            spaced = "^" if op == "^" else f" {op} "
            return _operand(left, op, is_right=False) + spaced + _operand(right, op, is_right=True)


def _operand(node: Node, op: str, is_right: bool) -> str:
    text = show(node)
    return f"({text})" if _needs_brackets(node, op, is_right) else text


def _needs_brackets(node: Node, op: str, is_right: bool) -> bool:
    if isinstance(node, Neg):
        return is_right or op == "^"
    if _is_fraction(node):
        return op in "*/^"
    if not isinstance(node, Bin):
        return False
    inner, outer = _PRECEDENCE[node.op], _PRECEDENCE[op]
    if op == "^":
        return inner <= outer if not is_right else inner < outer
    return inner < outer or (is_right and inner == outer and op in "-/")


def latex(node: Node) -> str:
    """LaTeX for display, keeping the layout of the tree."""
    match node:
        case Num(value):
            return str(value)
        case Var(name):
            return name
        case Neg(arg):
            return "-" + (
                rf"\left({latex(arg)}\right)"
                if isinstance(arg, Bin | Neg) and not _is_fraction(arg)
                else latex(arg)
            )
        case Sqrt(arg):
            return rf"\sqrt{{{latex(arg)}}}"
        case Bin("/", left, right):
            return rf"\frac{{{latex(left)}}}{{{latex(right)}}}"
        case Bin("*", Num(), Var() | Sqrt() | Bin("^", Var(), Num())):
            return latex(node.left) + " " + latex(node.right)
        case Bin(op, left, right):
            joiner = {"+": " + ", "-": " - ", "*": r" \cdot ", "^": "^"}[op]
            right_text = f"{{{latex(right)}}}" if op == "^" else _latex_operand(right, op, is_right=True)
            return _latex_operand(left, op, is_right=False) + joiner + right_text


def _latex_operand(node: Node, op: str, is_right: bool) -> str:
    text = latex(node)
    bracket = _needs_brackets(node, op, is_right) and not (_is_fraction(node) and op == "*")
    return rf"\left({text}\right)" if bracket else text


def _is_fraction(node: Node) -> bool:
    return (
        isinstance(node, Bin)
        and node.op == "/"
        and isinstance(node.left, Num)
        and isinstance(node.right, Num)
    )


TreeMove = tuple[Node, str, str]  # the rewritten tree, a short rule name, why


def next_move(node: Node) -> TreeMove | None:
    """The tree after the next single operation, or None when it is already fully simplified."""
    if show(canonical(value(node))) == show(node):
        return None
    return _move(node)


def stepwise_move(text: str, state: sympy.Basic) -> Move | None:
    """The solver's move for the stepwise skills: the next single operation on the typed line."""
    try:
        move = next_move(read(text))
    except NotStepwise as error:
        raise StateError(str(error)) from error
    return None if move is None else (show(move[0]), move[1], move[2])


def value(node: Node) -> Term:
    """Exact value of a tree; raises NotStepwise for sums of unlike terms or unsupported powers."""
    match node:
        case Num(number):
            return Term(Fraction(number))
        case Var():
            return Term(Fraction(1), exp=1)
        case Neg(arg):
            inner = value(arg)
            return Term(-inner.coef, inner.exp, inner.rad)
        case Sqrt(arg):
            return _sqrt(value(arg))
        case Bin(op, left, right):
            return _combine(op, value(left), value(right))


def canonical(term: Term) -> Node:
    """The simplest way to write a value: ``5/6``, ``-3x^2``, ``4sqrt(3)``, ``x^5``, and ``0`` for zero."""
    if term.coef == 0:
        return Num(0)
    if term.coef < 0:
        return Neg(canonical(Term(-term.coef, term.exp, term.rad)))
    parts: list[Node] = []
    if term.exp:
        parts.append(Var() if abs(term.exp) == 1 else Bin("^", Var(), Num(abs(term.exp))))
    if term.rad != 1:
        parts.append(Sqrt(Num(term.rad)))
    numerator, denominator = term.coef.numerator, term.coef.denominator
    if term.exp < 0:
        denominator_node = parts[0] if denominator == 1 else Bin("*", Num(denominator), parts[0])
        return Bin("/", _product([Num(numerator), *parts[1:]]), denominator_node)
    body = _product([Num(numerator), *parts] if numerator != 1 or not parts else parts)
    return body if denominator == 1 else Bin("/", body, Num(denominator))


def _product(parts: list[Node]) -> Node:
    node = parts[0]
    for part in parts[1:]:
        node = Bin("*", node, part)
    return node


def _sqrt(term: Term) -> Term:
    if term.exp or term.rad != 1 or term.coef < 0 or term.coef.denominator != 1:
        raise NotStepwise("only square roots of whole numbers are taken apart step by step")
    outside, inside = _split_square(term.coef.numerator)
    return Term(Fraction(outside), rad=inside)


def _split_square(number: int) -> tuple[int, int]:
    """``number = outside^2 * inside`` with ``inside`` square-free."""
    outside = max(k for k in range(1, isqrt(number) + 1) if number % (k * k) == 0) if number else 0
    return outside, (number // (outside * outside) if outside else 1)


def _combine(op: str, a: Term, b: Term) -> Term:
    if op in "+-":
        if a.coef and b.coef and (a.exp, a.rad) != (b.exp, b.rad):
            raise NotStepwise("only like terms can be added")
        sign = 1 if op == "+" else -1
        like = a if a.coef else b
        return Term(a.coef + sign * b.coef, like.exp, like.rad)
    if op == "*":
        outside, inside = _split_square(a.rad * b.rad)
        return Term(a.coef * b.coef * outside, a.exp + b.exp, inside)
    if op == "/":
        if b.coef == 0 or b.rad != 1:
            raise NotStepwise("cannot divide by zero or by a radical here")
        return Term(a.coef / b.coef, a.exp - b.exp, a.rad)
    if b.exp or b.rad != 1 or b.coef.denominator != 1 or not 0 <= b.coef <= 99:
        raise NotStepwise("only small whole-number powers are taken apart step by step")
    power = int(b.coef)
    outside, inside = a.rad ** (power // 2), a.rad ** (power % 2)
    return Term(a.coef**power * outside, a.exp * power, inside)


def _move(node: Node) -> TreeMove:
    match node:
        case Neg(arg):
            inner = _move(arg) if next_move(arg) else None
            if inner:
                return Neg(inner[0]), inner[1], inner[2]
            return canonical(value(node)), "simplify the sign", "A minus sign in front flips the sign."
        case Sqrt(arg):
            if next_move(arg):
                inner = _move(arg)
                return Sqrt(inner[0]), inner[1], inner[2]
            result = canonical(value(node))
            outside, _ = _split_square(value(arg).coef.numerator)
            why = f"{outside * outside} is a perfect square factor, so {outside} comes out of the root."
            return result, "simplify the radical", why
        case Bin(op, left, right):
            for side, child in (("left", left), ("right", right)):
                if not _waiting_to_add(node) and next_move(child):
                    inner = _move(child)
                    rebuilt = Bin(op, inner[0], right) if side == "left" else Bin(op, left, inner[0])
                    return rebuilt, inner[1], inner[2]
            return _operate(node)
    return canonical(value(node)), "simplify", "Write the value in its simplest form."


def _waiting_to_add(node: Bin) -> bool:
    """Fractions stay as they are while they wait to be added (``8/12 + 15/12``)."""
    parts = [_fraction_parts(node.left), _fraction_parts(node.right)]
    return node.op in "+-" and all(parts) and any(top % bottom for top, bottom in parts)


def _fraction_parts(node: Node) -> tuple[int, int] | None:
    if isinstance(node, Num):
        return node.value, 1
    if _is_fraction(node):
        return node.left.value, node.right.value
    return None


def _operate(node: Bin) -> TreeMove:
    op, left, right = node.op, node.left, node.right
    a, b = _fraction_parts(left), _fraction_parts(right)
    if op in "+-" and a and b and (a[1] != 1 or b[1] != 1):
        if a[1] != b[1]:
            common = lcm(a[1], b[1])
            rebuilt = Bin(op, _over(a, common), _over(b, common))
            return (
                rebuilt,
                f"rewrite over the common denominator {common}",
                (
                    f"Fractions can only be added or subtracted with the same denominator; {common} is the "
                    f"least common multiple of {a[1]} and {b[1]}."
                ),
            )
        total = a[0] + b[0] if op == "+" else a[0] - b[0]
        return (
            _signed_fraction(total, a[1]),
            "combine the numerators",
            "Same denominator: add or subtract the numerators.",
        )
    if op == "/" and a and b and (a[1] != 1 or b[1] != 1):
        reciprocal = Bin("/", Num(b[1]), Num(b[0])) if b[0] != 1 else Num(b[1])
        return (
            Bin("*", left, reciprocal),
            "multiply by the reciprocal",
            "Dividing by a fraction is multiplying by it flipped.",
        )
    if op == "*" and a and b and (a[1] != 1 or b[1] != 1):
        result = _signed_fraction(a[0] * b[0], a[1] * b[1])
        return (
            result,
            "multiply numerators and denominators",
            "Multiply straight across: top times top, bottom times bottom.",
        )
    if op == "/" and a and b:
        result = canonical(value(node))
        rule = "divide" if a[0] % a[1] == 0 and a[0] % b[0] == 0 else "simplify the fraction"
        return result, rule, "Divide the top and the bottom by their greatest common factor."
    result = canonical(value(node))
    left_value, right_value = value(left), value(right)
    if op == "*" and left_value.rad * right_value.rad != 1:
        outside, _ = _split_square(left_value.rad * right_value.rad)
        if outside != 1:
            coef = left_value.coef * right_value.coef
            result = _product(
                [
                    *([] if coef == 1 else [canonical(Term(coef, left_value.exp + right_value.exp))]),
                    Sqrt(Num(left_value.rad * right_value.rad)),
                ]
            )
        return result, "multiply the radicals", "sqrt(a) * sqrt(b) = sqrt(ab)."
    return result, *_describe(op, left_value, right_value)


def _over(parts: tuple[int, int], common: int) -> Node:
    return Bin("/", Num(parts[0] * common // parts[1]), Num(common))


def _signed_fraction(numerator: int, denominator: int) -> Node:
    fraction = Bin("/", Num(abs(numerator)), Num(denominator)) if denominator != 1 else Num(abs(numerator))
    return Neg(fraction) if numerator < 0 else fraction


def _describe(op: str, a: Term, b: Term) -> tuple[str, str]:
    if a.exp or b.exp:
        if op == "*" and not (a.exp and b.exp):
            return "multiply the coefficients", "Numbers multiply with numbers; the power of x stays."
        return {
            "*": ("multiply powers: add the exponents", "x^a * x^b = x^(a + b); coefficients multiply."),
            "/": ("divide powers: subtract the exponents", "x^a / x^b = x^(a - b); coefficients divide."),
            "^": (
                "power of a power: multiply the exponents",
                "(x^a)^b = x^(ab), and the coefficient is raised too.",
            ),
        }.get(op, ("combine like terms", "Like terms add by adding their coefficients."))
    if a.rad != 1 or b.rad != 1:
        return (
            "combine like radicals",
            "Like radicals add like like terms: a sqrt(r) + b sqrt(r) = (a + b) sqrt(r).",
        )
    names = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "^": "evaluate the power"}
    return names[
        op
    ], "Brackets first, then powers, then multiplication and division, then addition and subtraction."
