"""Polynomial skills: exponent rules, expanding products and factoring."""

from __future__ import annotations

import random

import sympy

from tutor.moves.polynomials import expand_move, factor_move
from tutor.moves.stepwise import Bin, Node, Num, Var, canonical, latex, show, stepwise_move, value
from tutor.notation import fmt, layout, to_latex, x
from tutor.problems.problem import GOALS, Draft, Skill, nonzero


def exponent_rules(rng: random.Random, difficulty: int) -> Draft:
    """Product, quotient and power rules; coefficients from 2, several rules combined from 4."""

    def monomial(coefficient: int = 1) -> Node:
        power: Node = Bin("^", Var(), Num(rng.randint(2, 3 + difficulty)))
        return Bin("*", Num(coefficient), power) if coefficient != 1 else power

    coefficient = rng.randint(2, 2 + difficulty) if difficulty >= 2 else 1
    if difficulty <= 2:
        tree: Node = Bin(rng.choice("*/"), monomial(coefficient), monomial())
    elif difficulty == 3:
        tree = Bin("^", monomial(coefficient), Num(rng.randint(2, 3)))
    else:
        squared = Bin("^", monomial(coefficient), Num(2))
        tree = Bin("/", Bin("*", squared, monomial()), monomial(coefficient if difficulty == 5 else 1))
    if value(tree).exp <= 0:  # keep answers as a positive power of x
        tree = Bin("*", tree.left, tree.right) if isinstance(tree, Bin) and tree.op == "/" else tree
    text = show(tree)
    return Draft(
        "simplify",
        f"Simplify using the exponent rules: {text}",
        latex(tree),
        text,
        show(canonical(value(tree))),
        "simplified",
    )


def _binomial(rng: random.Random, difficulty: int) -> sympy.Expr:
    lead = rng.randint(1, 1 + difficulty // 2) if difficulty >= 3 else 1
    return lead * x + nonzero(rng, -2 - difficulty, 2 + difficulty)


def expand_polynomials(rng: random.Random, difficulty: int) -> Draft:
    """a(x + b), two binomials, a square, three factors, a sum of products, harder with difficulty."""
    p, q, r = (_binomial(rng, difficulty) for _ in range(3))
    texts = {
        1: f"{nonzero(rng, -6, 9)}({fmt(p)})" if rng.random() < 0.5 else f"x({fmt(p)})",
        2: f"({fmt(p)})({fmt(q)})",
        3: f"({fmt(p)})({fmt(q)})" if rng.random() < 0.5 else f"({fmt(p)})^2",
        4: f"({fmt(p)})({fmt(q)}) + {rng.randint(2, 5)}({fmt(r)})",
        5: f"({fmt(p)})({fmt(q)})({fmt(r)})",
    }
    start = texts[difficulty]
    expanded = sympy.expand(layout(start).doit())
    return Draft("expand", f"Expand and simplify: {start}", to_latex(start), start, fmt(expanded), "expanded")


def factor_polynomials(rng: random.Random, difficulty: int) -> Draft:
    """GCF, trinomials, difference of squares, then GCF followed by a trinomial or squares."""
    r, s = rng.sample([n for n in range(-3 - difficulty, 4 + difficulty) if n != 0], 2)
    common = {1: rng.randint(2, 6) * x ** rng.randint(0, 1), 4: rng.randint(2, 5), 5: rng.randint(2, 4) * x}
    inner = {1: x + r, 2: (x - r) * (x - s), 3: (x - abs(r)) * (x + abs(r))}
    shape = inner.get(difficulty) or rng.choice([inner[2], inner[3]])
    product = common.get(difficulty, 1) * shape
    expanded = sympy.expand(product)
    return Draft(
        "factor",
        f"Factor completely: {fmt(expanded)}",
        to_latex(fmt(expanded)),
        fmt(expanded),
        fmt(sympy.factor(expanded)),
        "factored",
    )


SKILLS = (
    Skill(
        "exponent_rules", "Exponent rules", "Product, quotient and power rules for powers of x.",
        prerequisites=("order_of_operations",),
        generator=exponent_rules, move=stepwise_move, goal=GOALS["simplify"],
    ),
    Skill(
        "expand_polynomials", "Expanding polynomials", "Multiply out brackets and collect like terms.",
        prerequisites=("exponent_rules",),
        generator=expand_polynomials, move=expand_move, goal=GOALS["expand"],
    ),
    Skill(
        "factor_polynomials", "Factoring polynomials", "Common factors, trinomials, difference of squares.",
        prerequisites=("expand_polynomials",),
        generator=factor_polynomials, move=factor_move, goal=GOALS["factor"],
    ),
)  # fmt: skip
