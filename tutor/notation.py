"""Plain student notation: print SymPy objects the way learners type them, and read layout back.

SymPy evaluates as it builds (``2(x - 4)`` becomes ``2x - 8``), which hides the very step a learner
just took. ``layout`` parses without evaluating so the solver can see brackets and unreduced terms.
"""

from __future__ import annotations

import re

import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

x, y = sympy.symbols("x y", real=True)
_NAMES = {"x": x, "y": y, "sqrt": sympy.sqrt}
_TRANSFORMS = (*standard_transformations, implicit_multiplication_application, convert_xor)
_OPERATORS = {sympy.Eq: "=", sympy.Lt: "<", sympy.Le: "<=", sympy.Gt: ">", sympy.Ge: ">="}


def fmt(expr: sympy.Basic) -> str:
    """Print an expression, relation, `Or` of alternatives or `And` system in typed notation."""
    if isinstance(expr, sympy.Or):
        return " or ".join(fmt(arg) for arg in _sorted_alternatives(expr.args))
    if isinstance(expr, sympy.And):
        return ", ".join(fmt(arg) for arg in expr.args)
    if type(expr) in _OPERATORS:
        return f"{fmt(expr.lhs)} {_OPERATORS[type(expr)]} {fmt(expr.rhs)}"
    text = sympy.sstr(expr).replace("**", "^")
    text = re.sub(r"(?<![\w.^])(\d+)\*(?=[a-z(])", r"\1", text)  # 2*x -> 2x, 3*(x + 1) -> 3(x + 1)
    return re.sub(
        r"(?<=[a-z\d)])\*(?=\()", "", text
    )  # x*(x + 1) -> x(x + 1), (x + 1)*(x - 1) -> (x + 1)(x - 1)


def _sorted_alternatives(args: tuple[sympy.Basic, ...]) -> list[sympy.Basic]:
    return sorted(args, key=lambda rel: float(rel.rhs) if rel.rhs.is_number else 0.0)


def layout(text: str) -> sympy.Expr:
    """Parse one side of plain notation without evaluating, keeping brackets and unreduced terms."""
    return parse_expr(_python_syntax(text), local_dict=_NAMES, transformations=_TRANSFORMS, evaluate=False)


def split_relation(text: str) -> tuple[str, str, str] | None:
    """Split ``lhs op rhs`` into its three parts, or None when the text is not a single relation."""
    match = re.fullmatch(r"([^<>=≤≥]+)(<=|>=|≤|≥|=|<|>)([^<>=≤≥]+)", text.strip())
    if match is None:
        return None
    lhs, op, rhs = match.groups()
    return lhs.strip(), {"≤": "<=", "≥": ">="}.get(op, op), rhs.strip()


def to_latex(text: str) -> str:
    """LaTeX for display, keeping the layout exactly as the problem states it."""
    parts = [part.strip() for part in re.split(r",|\bor\b", text)]
    return ", \\quad ".join(_latex_part(part) for part in parts)


def _latex_part(text: str) -> str:
    relation = split_relation(text)
    if relation is None:
        return sympy.latex(layout(text), order="none")
    lhs, op, rhs = relation
    symbol = {"=": "=", "<": "<", ">": ">", "<=": r"\le", ">=": r"\ge"}[op]
    return f"{sympy.latex(layout(lhs), order='none')} {symbol} {sympy.latex(layout(rhs), order='none')}"


def _python_syntax(text: str) -> str:
    return text.replace("·", "*").replace("×", "*").replace("÷", "/").replace("−", "-")
