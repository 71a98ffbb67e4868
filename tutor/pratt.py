"""The Pratt parser behind :func:`tutor.parse.parse_math`: tokens in, allow-listed SymPy objects out."""

from __future__ import annotations

from collections.abc import Callable

import sympy

from tutor.builders import (
    DEGREE,
    ONE_ARGUMENT,
    PLUS_MINUS,
    apply_function,
    arithmetic,
    expand_plus_minus,
    factorial,
    matrix,
    number,
    power,
    root,
    union,
)  # fmt: skip
from tutor.conventions import DEFAULT, Conventions
from tutor.lexer import MathSyntaxError, Token
from tutor.limits import MAX_NESTING, LimitError
from tutor.vocabulary import INVERSES

RELATIONS: dict[str, Callable[..., sympy.Basic]] = {
    "=": sympy.Eq, "<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge, "!=": sympy.Ne,
}  # fmt: skip
BINDING = {"∪": 5, "+": 10, "-": 10, "±": 10, "∓": 10, "*": 20, "/": 20, "^": 40, "!": 50, "°": 50}
IMPLICIT = 20
STARTS_ATOM = {"num", "letter", "func", "const", "deriv"}
OPENERS = {"(", "["}
SEPARATORS = {";", "newline"}
CONSTANT_LETTERS = {"e": sympy.E, "i": sympy.I}
BRACKETS = {"⌊": ("⌋", sympy.floor), "⌈": ("⌉", sympy.ceiling)}


class Parser:
    """One parse of one token list; ``parse()`` returns the SymPy object for the whole input."""

    def __init__(self, tokens: list[Token], text: str, conventions: Conventions = DEFAULT):
        self.tokens = tokens
        self.text = text
        self.conventions = conventions
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

    def clause(self, item: Callable[[], sympy.Basic] | None = None) -> sympy.Basic:
        """Alternatives joined by "or"; each is a list (``x = 2, -2``) unless ``item`` says otherwise."""
        item = item or self.listing
        first = self.peek
        options = [item()]
        while self.peek.kind == "word" and self.peek.text == "or":
            self.advance()
            option = item()
            if isinstance(option, sympy.Expr) and _is_assignment(options[0]):
                option = sympy.Eq(options[0].lhs, option, evaluate=False)
            options.append(option)
        return options[0] if len(options) == 1 else self.build(first, lambda: sympy.Or(*options))

    def condition(self) -> sympy.Basic:
        """Inside brackets: a relation, or and/or groups of them (``(x = 1 or x = 2) and y = 3``)."""
        first = self.peek
        parts = [self.clause(self.relation)]
        while self.peek.kind == "word" and self.peek.text == "and":
            self.advance()
            parts.append(self.clause(self.relation))
        return parts[0] if len(parts) == 1 else self.build(first, lambda: sympy.And(*parts))

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
            if token.text in OPENERS or token.text == "{":
                return IMPLICIT
            return BINDING.get(token.text, 0)
        return IMPLICIT if token.kind in STARTS_ATOM else 0

    def prefix(self, token: Token) -> sympy.Basic:
        kind, text = token.kind, token.text
        if kind == "num":
            return number(text)
        if kind == "letter":
            return self.name(token)
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
        if kind == "op" and text == "matrix[":
            return self.matrix(token)
        if kind == "op" and text in BRACKETS:
            closer, function = BRACKETS[text]
            inner = self.expression(0)
            self.expect(closer)
            return self.build(token, lambda: function(inner))
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
        if token.kind != "op" or token.text in OPENERS or token.text in {"|", "{"}:
            if isinstance(left, sympy.Number) and token.kind == "num":
                raise self.error("Two numbers in a row: put an operation between them", token)
            right = self.expression(IMPLICIT)
            return self.build(token, lambda: arithmetic("*", left, right))
        self.advance()
        text = token.text
        if text == "!":
            return self.build(token, lambda: factorial(left))
        if text == "°":
            return self.build(token, lambda: arithmetic("*", left, DEGREE))
        if text == "^":
            exponent = self.expression(BINDING["^"] - 1)
            return self.build(token, lambda: power(left, exponent))
        right = self.expression(BINDING[text])
        if text == "∪":
            return self.build(token, lambda: union(left, right))
        return self.build(token, lambda: arithmetic(text, left, right))

    # -- brackets and functions -------------------------------------------------------------------
    def items_until(self, *closers: str, item: Callable[[], sympy.Basic] | None = None) -> list[sympy.Basic]:
        item = item or (lambda: self.expression(0))
        items = [item()]
        while self.peek.text == "," and self.peek.kind == "op":
            self.advance()
            items.append(item())
        if self.peek.text not in closers:
            wanted = " or ".join(repr(c) for c in closers)
            raise self.error(f"Expected {wanted} but found {_describe(self.peek)}")
        return items

    def bracketed(self, opener: Token) -> sympy.Basic:
        """``(a)`` groups, ``(a, b)`` is a point, ``[a, b]`` and half-open or infinite ones are intervals;
        brackets may also hold a relation or an and/or group of them."""
        items = self.items_until(")", "]", item=self.condition)
        closer = self.advance()
        if len(items) > 1 and not all(isinstance(item, sympy.Expr) for item in items):
            raise self.error("A point or interval holds numbers, not equations", opener)
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
        base = self.log_base() if name == "log" else None
        name, exponent = self.function_power(name)
        arguments = self.function_arguments(token, name)
        if base is not None:
            arguments.append(base)
        log_base = self.conventions.log_base
        value = self.build(token, lambda: apply_function(name, arguments, log_base=log_base))
        if exponent is None:
            return value
        return self.build(token, lambda: power(value, exponent))

    def log_base(self) -> sympy.Basic | None:
        """``log_2(8)``, ``\\log_{5}(y)``, and ``log10``/``lg``, which the lexer writes as ``log_10``."""
        if not (self.peek.kind == "op" and self.peek.text == "_"):
            return None
        self.advance()
        token = self.peek
        if (token.kind == "op" and token.text == "{") or token.kind in {"num", "letter", "const"}:
            return self.prefix(self.advance())
        raise self.error(f"Expected the base of the logarithm but found {_describe(token)}")

    def function_power(self, name: str) -> tuple[str, sympy.Basic | None]:
        """``cos^2(3x)`` is ``cos(3x)^2``; ``sin^-1(x)`` is the inverse function ``asin(x)``."""
        if not (self.peek.kind == "op" and self.peek.text == "^"):
            return name, None
        self.advance()
        exponent = self.expression(BINDING["^"])
        if exponent == -1 and name in INVERSES:
            return INVERSES[name], None
        return name, exponent

    def function_arguments(self, token: Token, name: str) -> list[sympy.Basic]:
        if self.peek.text == "(" and self.peek.kind == "op":
            self.advance()
            arguments = self.items_until(")")
            self.advance()
            return arguments
        if self.peek.text == "{" and self.peek.kind == "op":
            if name == "binom":
                return [self.latex_argument(), self.latex_argument()]
            return [self.latex_argument()]
        if name in ONE_ARGUMENT or name == "log":
            return [self.expression(35)]
        raise self.error(f"{name} needs its input in parentheses, like {name}(x)", token)

    def name(self, token: Token) -> sympy.Basic:
        """A variable; ``e`` and ``i`` are constants unless the problem declares them as variables, and a
        primed name before brackets is a function value, as in ``f'(x)``."""
        text = token.text
        if text in CONSTANT_LETTERS and text not in self.conventions.variables:
            return CONSTANT_LETTERS[text]
        if text.endswith("'") and self.peek.kind == "op" and self.peek.text == "(":
            self.advance()
            arguments = self.items_until(")")
            self.advance()
            function = sympy.Function(text, real=True)
            return self.build(token, lambda: function(*arguments))
        return sympy.Symbol(text, real=True)

    def matrix(self, opener: Token) -> sympy.Basic:
        """Rows separated by ``\\\\`` and entries by ``&``, up to ``\\end{bmatrix}``."""
        rows: list[list[sympy.Basic]] = [[]]
        while True:
            self.skip_newlines()
            if self.peek.kind == "op" and self.peek.text == "matrix]":
                self.advance()
                break
            rows[-1].append(self.expression(0))
            self.skip_newlines()
            if self.peek.kind == "op" and self.peek.text in {"&", "row"}:
                if self.advance().text == "row":
                    rows.append([])
            elif not (self.peek.kind == "op" and self.peek.text == "matrix]"):
                raise self.error(f"Expected & or \\\\ in the matrix but found {_describe(self.peek)}")
        if not rows[-1]:
            rows.pop()  # a row break before \end{bmatrix}
        if not rows:
            raise self.error("This matrix is empty", opener)
        return self.build(opener, lambda: matrix(rows))

    def skip_newlines(self) -> None:
        while self.peek.kind == "op" and self.peek.text == "newline":
            self.advance()


def _is_assignment(value: sympy.Basic) -> bool:
    return isinstance(value, sympy.Eq) and isinstance(value.lhs, sympy.Symbol)


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "the end"
    return "a new line" if token.text == "newline" else repr(token.text)
