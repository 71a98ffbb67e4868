"""Name the mistake behind a wrong step, from the pair of lines, in the learner's own notation.

Each check rebuilds what the learner would have written after one typical slip and compares it with what
they did write. The result names the operation they applied and the rule it broke, with a misconception
id that teachers' reports group by (``division-slip`` whatever the numbers were):

==============================  =====================================================================
misconception                   the slip
==============================  =====================================================================
division-slip                   ``2x = 4 → x = -2``: divided by the coefficient and changed the sign
multiplied-instead-of-divided   ``2x = 4 → x = 8``
divided-instead-of-multiplied   ``x/2 = 4 → x = 2``
divided-the-wrong-way           ``2x = 4 → x = 1/2``
subtracted-the-coefficient      ``3x = 12 → x = 9``
sign-when-moving                ``x + 5 = 8 → x = 8 + 5``
partial-distribution            ``3(x + 1) → 3x + 1``
inequality-not-flipped          ``-2x < 4 → x < -2``
dropped-root                    ``(x - 3/2)^2 = 25/4 → x - 3/2 = 5/2``
added-denominators              ``1/2 + 1/3 → 2/5``
multiplied-exponents            ``x^3·x^3 → x^9``
added-exponents                 ``(x^2)^3 → x^5``
==============================  =====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from tutor.parse import MathSyntaxError, typed_tree
from tutor.solution_sets import UnsolvableError, solution_set
from tutor.typed import fraction_parts, split_sign, typed_text_of

FLIPPED = {sympy.Lt: sympy.Gt, sympy.Le: sympy.Ge, sympy.Gt: sympy.Lt, sympy.Ge: sympy.Le}
MISCONCEPTIONS = {  # id: what a teacher's report calls it
    "division-slip": "Sign slip when dividing by the coefficient",
    "multiplied-instead-of-divided": "Multiplied by the coefficient instead of dividing",
    "divided-instead-of-multiplied": "Divided instead of multiplying to undo a division",
    "divided-the-wrong-way": "Divided the wrong way round",
    "subtracted-the-coefficient": "Subtracted the coefficient instead of dividing",
    "sign-when-moving": "Kept the sign when moving a term across",
    "partial-distribution": "Multiplied only the first term in the brackets",
    "inequality-not-flipped": "Did not flip the inequality for a negative",
    "dropped-root": "Dropped the negative square root",
    "added-denominators": "Added the denominators of fractions",
    "multiplied-exponents": "Multiplied exponents instead of adding them",
    "added-exponents": "Added exponents instead of multiplying them",
}


@dataclass(frozen=True)
class Diagnosis:
    """A named slip: ``misconception`` is a key of :data:`MISCONCEPTIONS`, ``message`` what to do instead."""

    misconception: str
    message: str


def diagnose_expression(before_text: str, after: sympy.Expr) -> Diagnosis | None:
    """The slip behind a wrong rewrite of an expression, if it is a known one."""
    tree = _typed(before_text)
    if tree is None:
        return None
    for factor, candidate in _partial_distributions(tree):
        if sympy.expand(candidate.doit() - after) == 0:
            return _distribution(factor)
    return _fraction_slip(tree, after) or _exponent_slip(tree, after)


def diagnose_statement(
    before_text: str,
    before: sympy.Basic,
    after: sympy.Basic,
    variable: sympy.Symbol,
    before_set: sympy.Set,
    after_set: sympy.Set,
) -> Diagnosis | None:
    """The slip behind a wrong step on an equation or inequality, if it is a known one."""

    def same_solutions(candidate: sympy.Basic) -> bool:
        try:
            return solution_set(candidate, variable) == after_set
        except (UnsolvableError, TypeError, ValueError, NotImplementedError):
            return False

    tree = _typed(before_text)
    if not isinstance(before, sympy.Rel) or isinstance(before, sympy.Ne):
        return _dropped_root(tree, before_set, after_set)
    if diagnosis := _coefficient_slip(before, after, variable):
        return diagnosis
    if type(after) in FLIPPED and type(before) in FLIPPED:
        flipped = FLIPPED[type(after)](after.lhs, after.rhs, evaluate=False)
        if _solutions(flipped, variable) == before_set:
            return Diagnosis(
                "inequality-not-flipped",
                "The inequality sign points the wrong way: when you multiply or divide both sides by a "
                "negative number, flip the inequality.",
            )
    for term, candidate in _sign_slips(before):
        if same_solutions(candidate):
            shown = _text(term)
            return Diagnosis(
                "sign-when-moving",
                f"Check the sign of {shown}: moving it to the other side changes its sign "
                f"(do the opposite operation to both sides).",
            )
    for factor, candidate in _partial_distributions(tree) if tree is not None else ():
        if same_solutions(candidate.doit()):
            return _distribution(factor)
    return _dropped_root(tree, before_set, after_set)


# -- equations: one operation on both sides --------------------------------------------------------
def _coefficient_slip(before: sympy.Rel, after: sympy.Basic, variable: sympy.Symbol) -> Diagnosis | None:
    """``k·x = c`` (or ``x/k = c``) turned into ``x = v`` with the wrong operation or sign."""
    value = _isolated_value(after, variable)
    if value is None:
        return None
    for term, constant in ((before.lhs, before.rhs), (before.rhs, before.lhs)):
        if constant.free_symbols or term.subs(variable, 0) != 0:
            continue
        k = sympy.simplify(term / variable)
        if k.free_symbols or k in (0, 1) or not k.is_Rational:
            continue
        if value == constant / k:
            return None  # the right value: whatever is wrong, it is not the coefficient
        return _undo_slip(k, constant, value)
    return None


def _undo_slip(k: sympy.Rational, c: sympy.Expr, value: sympy.Expr) -> Diagnosis | None:
    shown_k, shown_c = _text(k), _text(c)
    if k.is_Integer:
        slips: list[tuple[sympy.Expr, str, str]] = [
            (-c / k, "division-slip",
             f"This is a division slip: dividing both sides by {shown_k} gives {shown_c} ÷ {_bracket(k)}; "
             "check its sign."),
            (c * k, "multiplied-instead-of-divided",
             f"{shown_k}x means {shown_k} times x, so undo it by dividing both sides by {shown_k}; "
             f"you multiplied by {shown_k} instead."),
            (k / c if c != 0 else sympy.nan, "divided-the-wrong-way",
             f"Divide both sides by {shown_k}: that is {shown_c} ÷ {_bracket(k)}, "
             f"not {shown_k} ÷ {_bracket(c)}."),
            (c - k, "subtracted-the-coefficient",
             f"{shown_k}x means {shown_k} times x: divide both sides by {shown_k} instead of "
             "subtracting it."),
        ]  # fmt: skip
    elif k.p == 1 or k.p == -1:
        divisor = _text(1 / k)
        slips = [
            (c * k, "divided-instead-of-multiplied",
             f"x/{divisor} means x divided by {divisor}, so undo it by multiplying both sides by {divisor}; "
             "you divided instead."),
            (-c / k, "division-slip",
             f"Multiplying both sides by {divisor} doesn't change the sign of {shown_c}: check the sign."),
        ]  # fmt: skip
    else:
        return None
    for candidate, misconception, message in slips:
        if candidate == value and candidate != c / k:
            return Diagnosis(misconception, message)
    return None


def _isolated_value(after: sympy.Basic, variable: sympy.Symbol) -> sympy.Expr | None:
    if not isinstance(after, sympy.Rel):
        return None
    for side, other in ((after.lhs, after.rhs), (after.rhs, after.lhs)):
        if side == variable and not other.free_symbols:
            return other
    return None


def _sign_slips(relation: sympy.Rel) -> list[tuple[sympy.Expr, sympy.Rel]]:
    """``L + t = R`` wrongly becoming ``L = R + t``, for each term on either side."""
    slips = []
    for term in sympy.Add.make_args(relation.lhs):
        slips.append((term, relation.func(relation.lhs - term, relation.rhs + term, evaluate=False)))
    for term in sympy.Add.make_args(relation.rhs):
        slips.append((term, relation.func(relation.lhs + term, relation.rhs - term, evaluate=False)))
    return [(term, candidate) for term, candidate in slips if term != 0]


def _dropped_root(
    before: sympy.Basic | None, before_set: sympy.Set, after_set: sympy.Set
) -> Diagnosis | None:
    """Only one of the two square roots kept: ``(x - a)^2 = c`` to ``x - a = √c`` (``before`` as typed)."""
    if not (isinstance(before_set, sympy.FiniteSet) and isinstance(after_set, sympy.FiniteSet)):
        return None
    if not after_set or not after_set.is_subset(before_set) or after_set == before_set:
        return None
    if isinstance(before, sympy.Eq):
        for square, other in ((before.lhs, before.rhs), (before.rhs, before.lhs)):
            if isinstance(square, sympy.Pow) and square.exp == 2 and not other.free_symbols:
                base, value = _text(square.base), _text(other)
                root = f"√{value}" if other.is_Atom else f"√({value})"
                return Diagnosis(
                    "dropped-root",
                    f"You dropped a root: taking the square root of both sides gives {base} = {root} or "
                    f"{base} = -{root}. Keep the ± so no solution is lost.",
                )
    lost = set(before_set) - set(after_set)
    if all(-value in after_set for value in lost):
        return Diagnosis(
            "dropped-root",
            "You lost a root: x² = a has two solutions, x = √a and x = -√a. Don't forget the ± "
            "when you take a square root.",
        )
    return None


def _solutions(statement: sympy.Basic, variable: sympy.Symbol) -> sympy.Set | None:
    try:
        return solution_set(statement, variable)
    except (UnsolvableError, TypeError, ValueError, NotImplementedError):
        return None


# -- expressions -------------------------------------------------------------------------------------
def _partial_distributions(tree: sympy.Basic) -> list[tuple[sympy.Expr, sympy.Basic]]:
    """For each ``c·(a + b + …)`` in the typed tree: the tree with ``c`` applied to ``a`` only."""
    results = []
    for node in sympy.preorder_traversal(tree):
        if not isinstance(node, sympy.Mul):
            continue
        sums = [arg for arg in node.args if isinstance(arg, sympy.Add)]
        if len(sums) != 1 or len(node.args) < 2:
            continue
        (inner,) = sums
        factor = sympy.Mul(*(arg for arg in node.args if arg is not inner), evaluate=False)
        first, *rest = inner.args
        wrong = sympy.Add(sympy.Mul(factor, first, evaluate=False), *rest, evaluate=False)
        results.append((factor, tree.xreplace({node: wrong})))
    return results


def _distribution(factor: sympy.Expr) -> Diagnosis:
    return Diagnosis(
        "partial-distribution",
        f"Multiply every term inside the parentheses by {_text(factor.doit())}, not just the first one.",
    )


def _fraction_slip(tree: sympy.Basic, after: sympy.Expr) -> Diagnosis | None:
    """``a/b + c/d`` written as ``(a + c)/(b + d)``."""
    if not isinstance(tree, sympy.Add) or len(tree.args) != 2:
        return None
    parts = []
    for term in tree.args:
        sign, body = split_sign(term)
        if sign != "+" or not isinstance(body, sympy.Mul):
            return None
        top, bottom = fraction_parts(body)
        if len(top) != 1 or len(bottom) != 1:
            return None
        parts.append((top[0].doit(), bottom[0].doit()))
    (a, b), (c, d) = parts
    if sympy.simplify((a + c) / (b + d) - after) == 0:
        return Diagnosis(
            "added-denominators",
            "To add fractions, first write them over a common denominator; the denominators are not added.",
        )
    return None


def _exponent_slip(tree: sympy.Basic, after: sympy.Expr) -> Diagnosis | None:
    """``x^m·x^n`` to ``x^(mn)``, or ``(x^m)^n`` to ``x^(m+n)``."""
    if isinstance(tree, sympy.Pow) and isinstance(tree.base, sympy.Pow):
        m, n = tree.base.exp.doit(), tree.exp.doit()
        if sympy.simplify(after - tree.base.base.doit() ** (m + n)) == 0 and m * n != m + n:
            message = "A power of a power multiplies the exponents; it doesn't add them."
            return Diagnosis("added-exponents", message)
    powers = tree.args if isinstance(tree, sympy.Mul) else ()
    if len(powers) == 2 and all(isinstance(power, sympy.Pow) for power in powers):
        (base, m), (other, n) = ((a.base.doit(), a.exp.doit()) for a in tree.args)
        if base == other and sympy.simplify(after - base ** (m * n)) == 0 and m * n != m + n:
            return Diagnosis(
                "multiplied-exponents",
                "When you multiply powers of the same base, add the exponents; don't multiply them.",
            )
    return None


# -- helpers ----------------------------------------------------------------------------------------
def _typed(text: str) -> sympy.Basic | None:
    try:
        return typed_tree(text)
    except MathSyntaxError:
        return None


def _text(value: sympy.Basic) -> str:
    return typed_text_of(value)


def _bracket(value: sympy.Expr) -> str:
    return f"({_text(value)})" if value.is_negative else _text(value)

