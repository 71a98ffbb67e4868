"""Name the common mistake behind a wrong step, so the message can teach rather than just reject.

Each check rebuilds what the learner would have written after one typical slip and compares it with
what they did write: distributing to only one term, keeping a term's sign when moving it across,
forgetting to flip an inequality, and dropping the negative root.
"""

from __future__ import annotations

import sympy

from tutor.parse import parse_math
from tutor.solution_sets import UnsolvableError, solution_set

FLIPPED = {sympy.Lt: sympy.Gt, sympy.Le: sympy.Ge, sympy.Gt: sympy.Lt, sympy.Ge: sympy.Le}


def diagnose_expression(before_text: str, after: sympy.Expr) -> str | None:
    """A message for a wrong rewrite of an expression, if it matches a known slip."""
    for factor, candidate in _partial_distributions(_unevaluated(before_text)):
        if sympy.expand(candidate.doit() - after) == 0:
            return _distribution_message(factor)
    return None


def diagnose_statement(
    before_text: str,
    before: sympy.Basic,
    after: sympy.Basic,
    variable: sympy.Symbol,
    before_set: sympy.Set,
    after_set: sympy.Set,
) -> str | None:
    """A message for a wrong step on an equation or inequality, if it matches a known slip."""

    def same_solutions(candidate: sympy.Basic) -> bool:
        try:
            return solution_set(candidate, variable) == after_set
        except (UnsolvableError, TypeError, ValueError, NotImplementedError):
            return False

    if isinstance(before, sympy.Rel) and not isinstance(before, sympy.Ne):
        for term, candidate in _sign_slips(before):
            if same_solutions(candidate):
                return (
                    f"Check the sign of {term}: moving it to the other side changes its sign "
                    f"(add or subtract it on both sides)."
                )
        for factor, candidate in _partial_distributions(_unevaluated(before_text)):
            if same_solutions(candidate.doit()):
                return _distribution_message(factor)
    if type(after) in FLIPPED and type(before) in FLIPPED:
        flipped = FLIPPED[type(after)](after.lhs, after.rhs, evaluate=False)
        if solution_set(flipped, variable) == before_set:
            return (
                "The inequality sign points the wrong way: when you multiply or divide both sides by a "
                "negative number, flip the inequality."
            )
    if _dropped_negative_root(before_set, after_set):
        return (
            "You lost a root: x² = a has two solutions, x = √a and x = -√a. Don't forget the ± "
            "when you take a square root."
        )
    return None


def _unevaluated(text: str) -> sympy.Basic:
    """The learner's line as written, before SymPy tidies ``3(x+1)`` into ``3x + 3``."""
    with sympy.evaluate(False):
        return parse_math(text)


def _partial_distributions(tree: sympy.Basic) -> list[tuple[sympy.Expr, sympy.Basic]]:
    """For each ``c·(a + b + …)`` in the tree: the tree with ``c`` applied to ``a`` only."""
    results = []
    for node in sympy.preorder_traversal(tree):
        if not isinstance(node, sympy.Mul):
            continue
        sums = [arg for arg in node.args if isinstance(arg, sympy.Add)]
        if len(sums) != 1 or len(node.args) < 2:
            continue
        (inner,) = sums
        factor = sympy.Mul(*(arg for arg in node.args if arg is not inner))
        first, *rest = inner.args
        wrong = sympy.Add(sympy.Mul(factor, first), *rest, evaluate=False)
        results.append((factor.doit(), tree.xreplace({node: wrong})))
    return results


def _distribution_message(factor: sympy.Expr) -> str:
    return f"Multiply every term inside the parentheses by {factor}, not just the first one."


def _sign_slips(relation: sympy.Rel) -> list[tuple[sympy.Expr, sympy.Rel]]:
    """``L + t = R`` wrongly becoming ``L = R + t``, for each term on either side."""
    slips = []
    for term in sympy.Add.make_args(relation.lhs):
        slips.append((term, relation.func(relation.lhs - term, relation.rhs + term, evaluate=False)))
    for term in sympy.Add.make_args(relation.rhs):
        slips.append((term, relation.func(relation.lhs + term, relation.rhs - term, evaluate=False)))
    return [(term, candidate) for term, candidate in slips if term != 0]


def _dropped_negative_root(before_set: sympy.Set, after_set: sympy.Set) -> bool:
    if not (isinstance(before_set, sympy.FiniteSet) and isinstance(after_set, sympy.FiniteSet)):
        return False
    lost = set(before_set) - set(after_set)
    return bool(lost) and all(-value in after_set for value in lost)
