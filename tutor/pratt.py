"""The Pratt parser behind :func:`tutor.parse.parse_math`: tokens in, allow-listed SymPy objects out."""

from __future__ import annotations

from collections.abc import Callable

import sympy

from tutor.builders import (
    ONE_ARGUMENT,
    PLUS_MINUS,
    apply_function,
    arithmetic,
    as_set,
    expand_plus_minus,
    factorial,
    number,
    power,
    root,
)  # fmt: skip
from tutor.lexer import MathSyntaxError, Token
from tutor.limits import MAX_NESTING, LimitError

RELATIONS: dict[str, Callable[..., sympy.Basic]] = {
    "=": sympy.Eq, "<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge, "!=": sympy.Ne,
}  # fmt: skip
BINDING = {"∪": 5, "+": 10, "-": 10, "±": 10, "∓": 10, "*": 20, "/": 20, "^": 40, "!": 50}
IMPLICIT = 20
STARTS_ATOM = {"num", "letter", "func", "const", "deriv"}
OPENERS = {"(", "["}
SEPARATORS = {";", "newline"}


class Parser:
    """One parse of one token list; ``parse()`` returns the SymPy object for the whole input."""

    def __init__(self, tokens: list[Token], text: str):
        self.tokens = tokens
        self.text = text
        self.index = 0
        self.depth = 0
        self.abs_depth = 0

    # -- helpers ---------------------------------------------------------------------------------
    @property
    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, message: str, token: Token | None = None) -> MathSyntaxError:
        return MathSyntaxError(message, (token or self.peek).position, self.text)

    def expect(self, *texts: str) -> Token:
        if self.peek.text not in texts or self.peek.kind != "op":
            wanted = " or ".join(repr(t) for t in texts)
            raise self.error(f"Expected {wanted} but found {_describe(self.peek)}")
        return self.advance()

    def build(self, token: Token, make: Callable[[], sympy.Basic]) -> sympy.Basic:
        """Run one SymPy constructor, turning its complaints into messages a learner can act on."""
        try:
            result = make()
        except LimitError as error:
            raise self.error(str(error).capitalize(), token) from None
        except (TypeError, ValueError, AttributeError, NotImplementedError) as error:
            raise self.error(f"This does not make sense here: {_describe(token)} ({error})", token) from None
        if isinstance(result, sympy.Expr) and result.has(sympy.zoo, sympy.nan):
            raise self.error("This divides by zero", token)
        return result

    # -- top level: systems, alternatives, lists ------------------------------------------------
    def parse(self) -> sympy.Basic:
        clauses = [self.clause()]
        while self.peek.text in SEPARATORS or (self.peek.kind == "word" and self.peek.text == "and"):
            self.advance()
            if self.peek.kind != "end" and self.peek.text not in SEPARATORS:
                clauses.append(self.clause())
        if self.peek.kind != "end":
            raise self.error(f"I didn't expect {_describe(self.peek)} here")
        result = clauses[0] if len(clauses) == 1 else self.build(self.tokens[0], lambda: sympy.And(*clauses))
        return self.build(self.tokens[0], lambda: expand_plus_minus(result))  # oo ± oo is NaN

    def clause(self) -> sympy.Basic:
        first = self.peek
        options = [self.listing()]
        while self.peek.kind == "word" and self.peek.text == "or":
            self.advance()
            option = self.listing()
            if isinstance(option, sympy.Expr) and _is_assignment(options[0]):
                option = sympy.Eq(options[0].lhs, option, evaluate=False)
            options.append(option)
        return options[0] if len(options) == 1 else self.build(first, lambda: sympy.Or(*options))

    def listing(self) -> sympy.Basic:
        first = self.peek
        items = [self.relation()]
        while self.peek.text == "," and self.peek.kind == "op":
            self.advance()
            items.append(self.relation())
        if len(items) == 1:
            return items[0]
        if all(isinstance(item, sympy.Expr) for item in items):
            return self.build(first, lambda: sympy.FiniteSet(*items))
        head, rest = items[0], items[1:]
        if _is_assignment(head) and all(isinstance(item, sympy.Expr) for item in rest):
            return sympy.Or(head, *(sympy.Eq(head.lhs, item, evaluate=False) for item in rest))
        if all(isinstance(item, sympy.Rel) for item in items):
            if all(_is_assignment(item) and item.lhs == head.lhs for item in items):
                return sympy.Or(*items)
            return sympy.And(*items)
        raise self.error("Mixing equations and plain expressions in one list is confusing", first)

    def relation(self) -> sympy.Basic:
        first = self.peek
        sides = [self.expression(0)]
        operators: list[Token] = []
        while self.peek.kind == "rel":
            operators.append(self.advance())
            sides.append(self.expression(0))
        if self.peek.text == "∈" and self.peek.kind == "op":
            if not isinstance(sides[-1], sympy.Symbol) or operators:
                raise self.error("Write membership as a variable, ∈ and a set, like x ∈ [1, 2]")
            self.advance()
            return self.expression(0)
        for side in sides if operators else ():
            if not isinstance(side, sympy.Expr):
                raise self.error("Only expressions can be compared with =, < or >", first)
        relations = [
            self.build(op, lambda op=op, a=a, b=b: RELATIONS[op.text](a, b, evaluate=False))
            for op, a, b in zip(operators, sides, sides[1:], strict=False)
        ]
        if not relations:
            return sides[0]
        return relations[0] if len(relations) == 1 else sympy.And(*relations)

    # -- expressions ------------------------------------------------------------------------------
    def expression(self, right_binding: int) -> sympy.Basic:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"This is nested too deeply (the limit is {MAX_NESTING} levels)")
        left = self.prefix(self.advance())
        while right_binding < self.binding(self.peek):
            left = self.infix(left, self.peek)
        self.depth -= 1
        return left

    def binding(self, token: Token) -> int:
        if token.kind == "op":
            if token.text == "|":
                return 0 if self.abs_depth else IMPLICIT
            if token.text in OPENERS:
                return IMPLICIT
            return BINDING.get(token.text, 0)
        return IMPLICIT if token.kind in STARTS_ATOM else 0

    def prefix(self, token: Token) -> sympy.Basic:
        kind, text = token.kind, token.text
        if kind == "num":
            return number(text)
        if kind == "letter":
            return sympy.Symbol(text, real=True)
        if kind == "const":
            return sympy.pi if text == "pi" else sympy.oo
        if kind == "func":
            return self.function(token)
        if kind == "deriv":
            operand = self.expression(IMPLICIT - 1)
            variable = sympy.Symbol(text, real=True)
            return self.build(token, lambda: apply_function("diff", [operand, variable]))
        if kind == "op" and text in {"-", "+", "±", "∓"}:
            operand = self.expression(30)
            sign = {"-": sympy.S.NegativeOne, "+": sympy.S.One, "±": PLUS_MINUS, "∓": -PLUS_MINUS}[text]
            return self.build(token, lambda: arithmetic("*", sign, operand))
        if kind == "op" and text in OPENERS:
            return self.bracketed(token)
        if kind == "op" and text == "{":
            return self.braced(token)
        if kind == "op" and text == "set{":
            items = self.items_until("set}")
            self.advance()
            return self.build(token, lambda: sympy.FiniteSet(*items))
        if kind == "op" and text == "|":
            self.abs_depth += 1
            inner = self.expression(0)
            self.expect("|")
            self.abs_depth -= 1
            return self.build(token, lambda: sympy.Abs(inner))
        if kind == "end":
            raise self.error("The math ends too early: something is missing at the end", token)
        raise self.error(f"I didn't expect {_describe(token)} here", token)

    def infix(self, left: sympy.Basic, token: Token) -> sympy.Basic:
        if token.kind != "op" or token.text in OPENERS or token.text == "|":
            if isinstance(left, sympy.Number) and token.kind == "num":
                raise self.error("Two numbers in a row: put an operation between them", token)
            right = self.expression(IMPLICIT)
            return self.build(token, lambda: arithmetic("*", left, right))
        self.advance()
        text = token.text
        if text == "!":
            return self.build(token, lambda: factorial(left))
        if text == "^":
            exponent = self.expression(BINDING["^"] - 1)
            return self.build(token, lambda: power(left, exponent))
        right = self.expression(BINDING[text])
        if text == "∪":
            return self.build(token, lambda: sympy.Union(as_set(left), as_set(right)))
        return self.build(token, lambda: arithmetic(text, left, right))

    # -- brackets and functions -------------------------------------------------------------------
    def items_until(self, *closers: str) -> list[sympy.Basic]:
        items = [self.expression(0)]
        while self.peek.text == "," and self.peek.kind == "op":
            self.advance()
            items.append(self.expression(0))
        if self.peek.text not in closers:
            wanted = " or ".join(repr(c) for c in closers)
            raise self.error(f"Expected {wanted} but found {_describe(self.peek)}")
        return items

    def bracketed(self, opener: Token) -> sympy.Basic:
        """``(a)`` groups, ``(a, b)`` is a point, ``[a, b]`` and half-open or infinite ones are intervals."""
        items = self.items_until(")", "]")
        closer = self.advance()
        if len(items) == 1:
            if (opener.text, closer.text) not in {("(", ")"), ("[", "]")}:
                raise self.error("These brackets don't match", closer)
            return items[0]
        infinite = any(item in (sympy.oo, -sympy.oo) for item in items)
        if len(items) == 2 and (opener.text == "[" or closer.text == "]" or infinite):
            low, high = items
            return self.build(
                opener, lambda: sympy.Interval(low, high, opener.text == "(", closer.text == ")")
            )
        if opener.text != "(" or closer.text != ")":
            raise self.error("An interval has exactly two ends, like [1, 5)", opener)
        return self.build(opener, lambda: sympy.Tuple(*items))

    def braced(self, opener: Token) -> sympy.Basic:
        """``{...}`` groups in LaTeX (``x^{2}``), and lists a set when it has commas (``{1, 2}``)."""
        items = self.items_until("}")
        self.advance()
        return items[0] if len(items) == 1 else self.build(opener, lambda: sympy.FiniteSet(*items))

    def latex_argument(self) -> sympy.Basic:
        """A LaTeX argument: a braced group, or a single character as in ``\\frac 59``."""
        token = self.peek
        if token.kind == "op" and token.text == "{":
            return self.prefix(self.advance())
        if token.kind == "num" and len(token.text) > 1:
            self.tokens[self.index] = Token("num", token.text[1:], token.position + 1)
            return number(token.text[0])
        if token.kind in {"num", "letter", "const"}:
            return self.prefix(self.advance())
        raise self.error(f"Expected a braced argument like {{x}} but found {_describe(token)}")

    def function(self, token: Token) -> sympy.Basic:
        name = token.text
        if name == "frac":
            numerator, denominator = self.latex_argument(), self.latex_argument()
            return self.build(token, lambda: numerator / denominator)
        if name == "sqrt" and self.peek.text == "[":
            self.advance()
            index = self.expression(0)
            self.expect("]")
            radicand = self.latex_argument()
            return self.build(token, lambda: root(radicand, index))
        if self.peek.text == "(" and self.peek.kind == "op":
            self.advance()
            arguments = self.items_until(")")
            self.advance()
        elif self.peek.text == "{" and self.peek.kind == "op":
            arguments = [self.latex_argument()]
        elif name in ONE_ARGUMENT:
            arguments = [self.expression(35)]
        else:
            raise self.error(f"{name} needs its input in parentheses, like {name}(x)", token)
        return self.build(token, lambda: apply_function(name, arguments))


def _is_assignment(value: sympy.Basic) -> bool:
    return isinstance(value, sympy.Eq) and isinstance(value.lhs, sympy.Symbol)


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "the end"
    return "a new line" if token.text == "newline" else repr(token.text)
