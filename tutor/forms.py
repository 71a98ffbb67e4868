"""The form a final answer must have, checked on the tree the learner typed (:func:`tutor.parse.typed_tree`).

An answer can be right in value and still not finished: ``6/8`` for ``3/4``, ``x^2 - x - x`` for an
expansion, ``2(x^2 - 4)`` for a complete factorisation. Each rule below says, in words a learner can act
on, what is left to do; none of them tells the answer. Forms are written as short specs:

``equivalent`` any form; ``simplified`` no arithmetic left, fractions in lowest terms, surds simplified,
like terms collected; ``expanded`` simplified with every bracket multiplied out; ``factored`` a product of
factors that do not factor further over the integers; ``solved:x`` (or ``solved:x,y``) each variable on
its own on one side; ``decimal:N`` a decimal to N places; ``sigfigs:N`` to N significant figures;
``interval`` interval notation; ``set`` set notation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

from tutor.builders import Decimal
from tutor.typed import fraction_parts, split_sign, typed_text_of

KINDS = ("equivalent", "simplified", "expanded", "factored", "solved", "decimal", "sigfigs", "interval",
         "set")  # fmt: skip
_EXAMPLES = ("equivalent", "simplified", "expanded", "factored", "solved:x", "decimal:2", "sigfigs:3",
             "interval", "set")  # fmt: skip
_SPEC = re.compile(r"^\s*([a-z]+)\s*(?::\s*(.+?)\s*)?$")


class FormError(ValueError):
    """A form spec that is not one of the known forms."""


@dataclass(frozen=True)
class Form:
    """A parsed form spec: ``solved:x`` is ``Form("solved", variables=("x",))``."""

    kind: str = "equivalent"
    variables: tuple[str, ...] = ()
    digits: int = 0

    def __str__(self) -> str:
        if self.kind == "solved":
            return f"solved:{','.join(self.variables)}"
        return f"{self.kind}:{self.digits}" if self.kind in ("decimal", "sigfigs") else self.kind

    @property
    def rounded(self) -> bool:
        """Whether the answer is a rounded decimal, compared after rounding rather than exactly."""
        return self.kind in ("decimal", "sigfigs")


def parse_form(spec: str) -> Form:
    """Read a form spec such as ``simplified``, ``solved:x`` or ``decimal:2``; FormError when unknown."""
    match = _SPEC.match(spec or "")
    kind, argument = match.groups() if match else (spec, None)
    if kind not in KINDS:
        raise FormError(f"unknown answer form {spec!r}; use one of {', '.join(_EXAMPLES)}")
    if kind == "solved":
        names = tuple(name.strip() for name in (argument or "").split(","))
        if not all(re.fullmatch(r"[A-Za-z](?:_\w+)?", name) for name in names):
            raise FormError(f"say which variable to solve for, like solved:x (got {spec!r})")
        return Form(kind, variables=names)
    if kind in ("decimal", "sigfigs"):
        if argument is None or not argument.isdigit() or not (kind == "decimal" or int(argument) > 0):
            raise FormError(f"say how many {'places' if kind == 'decimal' else 'figures'}, like {kind}:2")
        if int(argument) > 15:
            raise FormError(f"{kind} takes at most 15 digits, not {argument}")
        return Form(kind, digits=int(argument))
    if argument is not None:
        raise FormError(f"the form {kind!r} takes no argument (got {spec!r})")
    return Form(kind)


def form_failure(tree: sympy.Basic, form: Form) -> str | None:
    """What the typed answer still lacks for ``form`` (one rule, in words), or None when it has the form.

    Rounded forms are checked by :func:`tutor.rounding.rounding_failure`, which needs the expected value.
    """
    rules = {
        "equivalent": lambda: None,
        "simplified": lambda: unsimplified(tree),
        "expanded": lambda: unexpanded(tree) or unsimplified(tree),
        "factored": lambda: unfactored(tree),
        "solved": lambda: unsolved(tree, form.variables),
        "interval": lambda: None if _is_interval(tree) else "it is not in interval notation, like (a, b]",
        "set": lambda: None if _is_set(tree) else "it is not written as a set, like {a, b}",
        "decimal": lambda: None,
        "sigfigs": lambda: None,
    }
    return rules[form.kind]()


# -- simplified -------------------------------------------------------------------------------------
def unsimplified(tree: sympy.Basic) -> str | None:
    """The first thing left to simplify: arithmetic, like terms, a fraction or surd, a power."""
    for node in sympy.preorder_traversal(tree):
        problem = _sum_problem(node) or _product_problem(node) or _power_problem(node) or _sign_problem(node)
        if problem or (isinstance(node, sympy.factorial) and not node.free_symbols):
            return problem or f"there is still arithmetic to do in {_text(node)}"
    return None


def _sum_problem(node: sympy.Basic) -> str | None:
    if not isinstance(node, sympy.Add):
        return None
    terms = _terms(node)
    algebraic = [t for t in terms if any(d.free_symbols for d in _denominators(t))]
    if len(algebraic) > 1:
        return f"the fractions in {_text(node)} are not combined into one"
    if len([t for t in terms if value_of(split_sign(t)[1]).is_Rational]) > 1:
        return f"there is still arithmetic to do in {_text(node)}"  # 42 + 8, and 3 ± 1 (2 or 4)
    seen: dict[sympy.Expr, sympy.Basic] = {}
    for term in terms:
        value = value_of(term)
        if value == 0:
            return f"there is still a 0 to drop in {_text(node)}"
        rest = value.as_coeff_Mul()[1]
        if rest in seen:
            if rest == 1:
                return f"there is still arithmetic to do in {_text(node)}"
            return f"like terms are not collected in {_text(node)}"
        seen[rest] = term
    return None


def _product_problem(node: sympy.Basic) -> str | None:
    if not isinstance(node, sympy.Mul) or split_sign(node)[0] != "+":
        return None
    top, bottom = fraction_parts(node)
    if bottom:
        return _fraction_problem(node, top, bottom)
    factors = _factors(top)
    rationals = [f for f in factors if _is_rational(f)]
    if len(rationals) > 1 or any(value_of(f) in (0, 1) for f in rationals):
        return f"there is still arithmetic to do in {_text(node)}"
    if len([f for f in factors if _is_surd(f)]) > 1:
        return f"the square roots in {_text(node)} can still be multiplied together"
    bases = [f.base if isinstance(f, sympy.Pow) else f for f in factors]
    atoms = [base for base in bases if isinstance(base, sympy.Symbol)]
    repeated = next((base for base in atoms if atoms.count(base) > 1), None)
    if repeated is not None:
        return f"the powers of {_text(repeated)} in {_text(node)} are not combined"
    return None


def _fraction_problem(node: sympy.Mul, top: list[sympy.Basic], bottom: list[sympy.Basic]) -> str | None:
    numerator, denominator = value_of(sympy.Mul(*top)), value_of(sympy.Mul(*bottom))
    if denominator == 1:
        return f"{_text(node)} still divides by 1"
    if any(_is_surd(factor) for factor in sympy.preorder_traversal(denominator)):
        return f"the denominator of {_text(node)} still has a square root in it"
    try:
        common = sympy.gcd(numerator, denominator)
    except (sympy.PolynomialError, TypeError, ValueError):
        return None
    if common.is_number and abs(common) != 1 and not numerator.free_symbols and not denominator.free_symbols:
        whole = abs(common) == abs(denominator)
        return f"{_text(node)} {'can still be worked out' if whole else 'is not in lowest terms'}"
    if common.is_number and abs(common) != 1:
        return f"{_text(node)} can still be cancelled by {_text(abs(common))}"
    if not common.is_number:
        return f"{_text(node)} can still be cancelled"
    return None


def _power_problem(node: sympy.Basic) -> str | None:
    if not isinstance(node, sympy.Pow):
        return None
    base, exponent = node.args
    if exponent == sympy.S.Half:
        return _surd_problem(node, value_of(base))
    if exponent == sympy.S.NegativeOne:
        return None
    value = value_of(exponent)
    if value in (0, 1):
        return f"{_text(node)} can still be simplified (a power of {_text(value)})"
    if not node.free_symbols and value_of(node).is_Rational:  # 2^3, 4^(1/2): a number to work out
        return f"there is still arithmetic to do in {_text(node)}"
    if isinstance(base, sympy.Pow) and base.exp != sympy.S.Half and value.is_Integer:
        return f"the powers in {_text(node)} can still be multiplied"
    if isinstance(base, sympy.Mul) and value.is_Integer and any(_is_rational(f) or isinstance(f, sympy.Pow)
                                                                for f in _factors(base.args)):  # fmt: skip
        return f"the power in {_text(node)} is not applied to each factor"
    if value.is_negative and base.free_symbols:
        return f"{_text(node)} can be written with a positive power"
    return None


def _surd_problem(node: sympy.Pow, radicand: sympy.Expr) -> str | None:
    if not radicand.is_Rational or radicand < 0:
        return None
    if not radicand.is_Integer:
        return f"{_text(node)} is not simplified: take the root of a whole number"
    coefficient, rest = sympy.sqrt(radicand).as_coeff_Mul()  # SymPy's root, already size-checked
    if rest == 1:
        return f"{_text(node)} can still be worked out"
    if coefficient != 1:
        return f"{_text(node)} is not simplified: {radicand} has the square factor {coefficient**2}"
    return None


def _sign_problem(node: sympy.Basic) -> str | None:
    sign, body = split_sign(node)
    if sign == "-" and split_sign(body)[0] == "-":
        return f"the two minus signs in {_text(node)} can still be combined"
    return None


# -- expanded and factored ----------------------------------------------------------------------------
def unexpanded(tree: sympy.Basic) -> str | None:
    """A product or power of a sum that is still in brackets."""
    for node in sympy.preorder_traversal(tree):
        bracket_power = isinstance(node, sympy.Pow) and _has_symbolic_sum(node.base)
        power = value_of(node.exp) if bracket_power else sympy.S.Zero
        if power.is_Integer and power > 1:
            return f"the brackets in {_text(node)} are not multiplied out"
        if isinstance(node, sympy.Mul):
            top, _ = fraction_parts(node)
            factors = _factors(top)
            if len(factors) > 1 and any(_has_symbolic_sum(f) for f in factors):
                return f"the brackets in {_text(node)} are not multiplied out"
    return None


def unfactored(tree: sympy.Basic) -> str | None:
    """A factor that still factors over the integers, or a common factor not taken out."""
    expression = tree
    if not isinstance(expression, sympy.Expr):
        return "it is not a single expression to factor"
    top, bottom = fraction_parts(expression) if isinstance(expression, sympy.Mul) else ([expression], [])
    factors = _factors(top)
    for factor in factors + bottom:
        base = factor.base if isinstance(factor, sympy.Pow) and value_of(factor.exp).is_Integer else factor
        if problem := _reducible(base):
            return problem
    return _arithmetic_only(expression)


def _reducible(factor: sympy.Basic) -> str | None:
    if not isinstance(factor, sympy.Add):
        return None  # a monomial such as 3x or x^2 is already a product of its factors
    value = value_of(factor)
    if value.is_number or not value.is_polynomial():
        return None
    try:
        content, parts = sympy.factor_list(value)
    except (sympy.PolynomialError, TypeError, ValueError):
        return None
    if not content.is_Integer:
        return f"{_text(factor)} is not factored over the integers"
    if abs(content) != 1 and len(parts) == 1 and parts[0][1] == 1:
        return f"{_text(factor)} still has the common factor {abs(content)}"
    if abs(content) != 1 or len(parts) > 1 or any(multiplicity > 1 for _, multiplicity in parts):
        return f"{_text(factor)} can still be factored"
    return None


def _arithmetic_only(tree: sympy.Basic) -> str | None:
    """The simplification rules that still apply to a factored answer (arithmetic, like terms, surds)."""
    for node in sympy.preorder_traversal(tree):
        problem = _sum_problem(node) or _power_problem(node) or _sign_problem(node)
        if isinstance(node, sympy.Mul) and split_sign(node)[0] == "+" and not fraction_parts(node)[1]:
            rationals = [f for f in _factors(fraction_parts(node)[0]) if _is_rational(f)]
            if len(rationals) > 1 or any(value_of(f) in (0, 1) for f in rationals):
                problem = f"there is still arithmetic to do in {_text(node)}"
        if problem:
            return problem
    return None


# -- solved, interval, set -----------------------------------------------------------------------------
def unsolved(tree: sympy.Basic, names: tuple[str, ...]) -> str | None:
    """Each named variable on its own on one side, with a finished value on the other."""
    wanted = set(names)
    statements = statements_of(tree)
    if statements is None:
        return _finished_value(tree, wanted)
    solved: set[str] = set()
    for statement in statements:
        sides = [statement.lhs, statement.rhs]
        alone = [side for side in sides if isinstance(side, sympy.Symbol) and side.name in wanted]
        if not alone:
            return f"{' and '.join(sorted(wanted))} is not on its own on one side of {_text(statement)}"
        variable = alone[0]
        other = sides[1] if sides[0] is variable else sides[0]
        if problem := _finished_value(other, wanted):
            return problem
        solved.add(variable.name)
    missing = wanted - solved
    if missing:
        return f"it does not say what {' and '.join(sorted(missing))} is"
    return None


def statements_of(tree: sympy.Basic) -> list[sympy.Rel] | None:
    """The relations an answer is made of (``x = 1 or x = 2``, ``x = 1, y = 2``), or None for a value."""
    parts = tree.args if isinstance(tree, sympy.Or | sympy.And) else (tree,)
    flat = []
    for part in parts:
        inner = part.args if isinstance(part, sympy.And) else (part,)
        flat.extend(inner)
    if all(isinstance(part, sympy.Rel) for part in flat):
        return flat
    return None


def _finished_value(value: sympy.Basic, wanted: set[str]) -> str | None:
    names = {symbol.name for symbol in value.free_symbols}
    if names & wanted:
        return f"the other side still has {' and '.join(sorted(names & wanted))} in it"
    if isinstance(value, sympy.Rel | sympy.Or | sympy.And):
        return "the answer is not written as the variable equal to a value"
    return unsimplified(value)


def _is_interval(tree: sympy.Basic) -> bool:
    if isinstance(tree, sympy.Union):
        return all(_is_interval(arg) for arg in tree.args)
    return isinstance(tree, sympy.Interval) or (isinstance(tree, sympy.Tuple) and len(tree) == 2)


def _is_set(tree: sympy.Basic) -> bool:
    return isinstance(tree, sympy.FiniteSet | sympy.Interval | sympy.Union) or tree == sympy.S.EmptySet


# -- helpers ----------------------------------------------------------------------------------------
def value_of(node: sympy.Basic) -> sympy.Expr:
    """The evaluated value of a typed node (decimals become exact fractions)."""
    return node.replace(lambda n: isinstance(n, Decimal), lambda n: n.value).doit()


def _text(node: sympy.Basic) -> str:
    return typed_text_of(node)


def _terms(node: sympy.Add) -> list[sympy.Basic]:
    terms = []
    for term in node.args:
        terms.extend(_terms(term) if isinstance(term, sympy.Add) else [term])
    return terms


def _factors(factors: list[sympy.Basic] | tuple[sympy.Basic, ...]) -> list[sympy.Basic]:
    """Nested products flattened (``2x(x + 1)`` is read as ``(2·x)·(x + 1)``), signs set aside."""
    flat = []
    for factor in factors:
        body = split_sign(factor)[1]
        if isinstance(body, sympy.Mul) and not fraction_parts(body)[1]:
            flat.extend(_factors(body.args))
        else:
            flat.append(body)
    return flat


def _denominators(term: sympy.Basic) -> list[sympy.Basic]:
    body = split_sign(term)[1]
    return fraction_parts(body)[1] if isinstance(body, sympy.Mul) else []


def _is_rational(node: sympy.Basic) -> bool:
    return isinstance(split_sign(node)[1], sympy.Integer | Decimal)


def _is_surd(node: sympy.Basic) -> bool:
    return isinstance(node, sympy.Pow) and node.exp == sympy.S.Half and not node.base.free_symbols


def _has_symbolic_sum(node: sympy.Basic) -> bool:
    return isinstance(split_sign(node)[1], sympy.Add) and bool(node.free_symbols)
