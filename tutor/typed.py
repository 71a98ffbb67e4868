"""Print a typed (unevaluated) tree exactly as the learner wrote it, as LaTeX or as plain text.

SymPy's printers assume evaluated trees: they reorder terms, print ``-3`` as ``(-1) 3`` and ``x·3`` as
``x 3``. These printers keep the order, the signs, the fractions and the roots that were typed, so a
preview never shows an answer the learner did not write (``42 + 8`` is not ``50``).
"""

from __future__ import annotations

from collections.abc import Callable

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from tutor.builders import PLUS_MINUS, Decimal


def split_sign(term: sympy.Basic) -> tuple[str, sympy.Basic]:
    """The typed sign in front of a term: ``-t`` is ``("-", t)``, ``±t`` is ``("±", t)``, ``∓t`` is
    ``("∓", t)``, anything else ``("+", term)``. One level only: ``-(-3)`` keeps its inner sign."""
    if isinstance(term, sympy.Number) and term < 0:
        return "-", -term
    if not isinstance(term, sympy.Mul):
        return "+", term
    if term.args[:2] == (sympy.S.NegativeOne, PLUS_MINUS):
        sign, rest = "∓", term.args[2:]
    elif term.args[0] in (sympy.S.NegativeOne, PLUS_MINUS):
        sign, rest = ("-" if term.args[0] == sympy.S.NegativeOne else "±"), term.args[1:]
    else:
        return "+", term
    if not rest:
        return "+", term
    return sign, rest[0] if len(rest) == 1 else sympy.Mul(*rest, evaluate=False)


def fraction_parts(product: sympy.Mul) -> tuple[list[sympy.Basic], list[sympy.Basic]]:
    """The typed numerator and denominator factors of a product (``a/b`` is ``a·b^-1`` in SymPy)."""
    top, bottom = [], []
    for factor in product.args:
        if isinstance(factor, sympy.Pow) and factor.exp == sympy.S.NegativeOne:
            bottom.append(factor.base)
        else:
            top.append(factor)
    return top, bottom


def _is_root(power: sympy.Pow) -> bool:
    index = power.exp
    return index == sympy.S.Half or (
        isinstance(index, sympy.Pow) and index.exp == sympy.S.NegativeOne and index.base.is_Integer
    )


def signed_terms(
    expr: sympy.Add, print_term: Callable[[sympy.Basic], str], bracket: Callable[[str], str]
) -> list[tuple[str, str]]:
    """Each term of a typed sum as (its sign, its text), bracketed where a sign or a sum inside needs it:
    both printers write sums this way and differ only in their brackets and sign symbols."""
    terms = []
    for index, term in enumerate(expr.args):
        sign, body = split_sign(term)
        text = print_term(body)
        if (isinstance(body, sympy.Add) and index) or (sign != "+" and split_sign(body)[0] != "+"):
            text = bracket(text)
        terms.append((sign, text))
    return terms


def _starts_with_number(factor: sympy.Basic) -> bool:
    while isinstance(factor, sympy.Pow | sympy.factorial) and not (
        isinstance(factor, sympy.Pow) and _is_root(factor)
    ):
        factor = factor.args[0]
    return isinstance(factor, sympy.Number | Decimal) or split_sign(factor)[0] != "+"


class TypedLatexPrinter(LatexPrinter):
    """LaTeX that keeps the learner's order, signs, fractions and roots."""

    def __init__(self) -> None:
        super().__init__({"order": "none"})

    def _print_Add(self, expr: sympy.Add) -> str:
        terms = signed_terms(expr, self._print, lambda text: rf"\left({text}\right)")
        symbols = {"+": "+", "-": "-", "±": r"\pm", "∓": r"\mp"}
        return " ".join(
            f"{symbols[sign]} {text}" if index or sign != "+" else text
            for index, (sign, text) in enumerate(terms)
        )

    def _print_Mul(self, expr: sympy.Mul) -> str:
        sign, body = split_sign(expr)
        if sign != "+":
            text = self._print(body)
            if isinstance(body, sympy.Add) or split_sign(body)[0] != "+":
                text = rf"\left({text}\right)"
            return {"-": "-", "±": r"\pm ", "∓": r"\mp "}[sign] + text
        top, bottom = fraction_parts(expr)
        if not bottom:
            return self._product(top)
        sign, numerator = split_sign(top[0]) if len(top) == 1 else ("+", None)
        if sign == "-" and not isinstance(numerator, sympy.Add):
            return rf"-\frac{{{self._print(numerator)}}}{{{self._product(bottom)}}}"
        return rf"\frac{{{self._product(top) if top else '1'}}}{{{self._product(bottom)}}}"

    def _product(self, factors: list[sympy.Basic]) -> str:
        text = ""
        for index, factor in enumerate(factors):
            piece = self._print(factor)
            bracketed = isinstance(factor, sympy.Add | sympy.Rel) and len(factors) > 1
            if bracketed or (index and split_sign(factor)[0] != "+"):
                piece = rf"\left({piece}\right)"
            if index:
                text += r" \cdot " if _starts_with_number(factor) else " "
            text += piece
        return text

    def _print_Pow(self, expr: sympy.Pow) -> str:
        base, exponent = expr.args
        if exponent == sympy.S.NegativeOne:
            return rf"\frac{{1}}{{{self._print(base)}}}"
        if exponent == sympy.S.Half:
            return rf"\sqrt{{{self._print(base)}}}"
        if _is_root(expr):
            return rf"\sqrt[{self._print(exponent.base)}]{{{self._print(base)}}}"
        if isinstance(base, sympy.Function):
            return super()._print_Pow(expr)
        text = self._print(base)
        if isinstance(base, sympy.Add | sympy.Mul | sympy.Pow | Decimal) or split_sign(base)[0] != "+":
            text = rf"\left({text}\right)"
        return f"{text}^{{{self._print(exponent)}}}"

    def _print_Symbol(self, expr: sympy.Symbol, style: str = "plain") -> str:
        return r"\pm" if expr == PLUS_MINUS else super()._print_Symbol(expr, style)

    def _print_log(self, expr: sympy.log) -> str:
        if len(expr.args) == 2:
            return rf"\log_{{{self._print(expr.args[1])}}}\left({self._print(expr.args[0])}\right)"
        return rf"\ln\left({self._print(expr.args[0])}\right)"

    def _print_Union(self, expr: sympy.Union) -> str:
        """Left to right along the number line, the way unions are written (SymPy keeps its own order)."""
        return r" \cup ".join(self._print(arg) for arg in sorted(expr.args, key=_left_end))

    def _print_Or(self, expr: sympy.Or) -> str:
        return r" \text{ or } ".join(self._print(arg) for arg in expr.args)

    def _print_And(self, expr: sympy.And) -> str:
        if chain := _chain(expr):
            return " ".join(self._print(part) if isinstance(part, sympy.Basic) else part for part in chain)
        return r", \quad ".join(self._print(arg) for arg in expr.args)


def _left_end(part: sympy.Set) -> float:
    try:
        return float(part.inf.doit())
    except (TypeError, ValueError, AttributeError):
        return 0.0


_LATEX_RELATIONS = {"<": "<", "<=": r"\leq", ">": ">", ">=": r"\geq"}


def _chain(expr: sympy.And) -> list[sympy.Basic | str] | None:
    """``1 < x < 5`` is read as ``1 < x and x < 5``: put the chain back together for display."""
    if len(expr.args) != 2 or not all(isinstance(a, sympy.Rel) and a.rel_op in _LATEX_RELATIONS
                                      for a in expr.args):  # fmt: skip
        return None
    first, second = expr.args
    if first.rhs != second.lhs:
        first, second = second, first
    if first.rhs != second.lhs:
        return None
    return [first.lhs, _LATEX_RELATIONS[first.rel_op], first.rhs, _LATEX_RELATIONS[second.rel_op], second.rhs]


class TypedTextPrinter(StrPrinter):
    """Plain text in the learner's notation (``2x``, ``x^2``, ``-3/2``) for messages about their work."""

    def __init__(self) -> None:
        super().__init__({"order": "none"})

    def _print_Add(self, expr: sympy.Add) -> str:
        terms = signed_terms(expr, self._print, lambda text: f"({text})")
        return " ".join(
            f"{sign} {text}" if index else (text if sign == "+" else f"{sign}{text}")
            for index, (sign, text) in enumerate(terms)
        )

    def _print_Mul(self, expr: sympy.Mul) -> str:
        sign, body = split_sign(expr)
        if sign != "+":
            text = self._print(body)
            bracketed = isinstance(body, sympy.Add) or split_sign(body)[0] != "+"
            return sign + (f"({text})" if bracketed else text)
        top, bottom = fraction_parts(expr)
        if not bottom:
            return self._product(top)
        numerator = self._product(top) if top else "1"
        denominator = self._product(bottom)
        if len(top) > 1 or (top and isinstance(top[0], sympy.Add)):
            numerator = f"({numerator})"
        if len(bottom) > 1 or isinstance(bottom[0], sympy.Add | sympy.Mul):
            denominator = f"({denominator})"
        return f"{numerator}/{denominator}"

    def _product(self, factors: list[sympy.Basic]) -> str:
        text = ""
        for index, factor in enumerate(factors):
            piece = self._print(factor)
            bracketed = isinstance(factor, sympy.Add) and len(factors) > 1
            if bracketed or (index and split_sign(factor)[0] != "+"):
                piece = f"({piece})"
            if index:  # x^3·x^3 and 2·3 need the dot; 2x and 3(x + 1) do not
                after_power = isinstance(factors[index - 1], sympy.Pow) and not piece.startswith("(")
                joined = _starts_with_number(factor) or after_power
                text += "·" if joined else ""
            text += piece
        return text

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        base, exponent = expr.args
        if exponent == sympy.S.NegativeOne:
            return f"1/{self._print(base)}"
        if exponent == sympy.S.Half:
            return f"sqrt({self._print(base)})"
        text = self._print(base)
        if isinstance(base, sympy.Add | sympy.Mul | sympy.Pow) or split_sign(base)[0] != "+":
            text = f"({text})"
        power = self._print(exponent)
        if not (isinstance(exponent, sympy.Integer | sympy.Symbol) and split_sign(exponent)[0] == "+"):
            power = f"({power})"
        return f"{text}^{power}"

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return "±" if expr == PLUS_MINUS else expr.name

    def _print_Relational(self, expr: sympy.Rel) -> str:
        return f"{self._print(expr.lhs)} {expr.rel_op.replace('==', '=')} {self._print(expr.rhs)}"

    def _print_Abs(self, expr: sympy.Abs) -> str:
        return f"|{self._print(expr.args[0])}|"

    def _print_factorial(self, expr: sympy.factorial) -> str:
        inner = self._print(expr.args[0])
        return f"{inner}!" if expr.args[0].is_Atom else f"({inner})!"

    def _print_Or(self, expr: sympy.Or) -> str:
        return " or ".join(self._print(arg) for arg in expr.args)

    def _print_And(self, expr: sympy.And) -> str:
        return ", ".join(self._print(arg) for arg in expr.args)


def typed_latex_of(tree: sympy.Basic) -> str:
    """LaTeX of a typed tree from :func:`tutor.parse.typed_tree`."""
    return TypedLatexPrinter().doprint(tree)


def typed_text_of(tree: sympy.Basic) -> str:
    """Plain text of a typed (or evaluated) tree in learner notation: ``2x - 3``, not ``2*x - 3``."""
    return TypedTextPrinter().doprint(tree)
