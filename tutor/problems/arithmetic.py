"""Number skills: fraction arithmetic and order of operations, built as trees with exact answers."""

from __future__ import annotations

import random

from tutor.moves.stepwise import Bin, Node, Num, canonical, latex, show, stepwise_move, value
from tutor.problems.problem import GOALS, BKTParams, Draft, Skill


def fractions(rng: random.Random, difficulty: int) -> Draft:
    """d1 same denominator, d2 unlike denominators, d3 multiply, d4 divide, d5 mixed operations."""
    top = 5 + 2 * difficulty

    def fraction() -> Node:
        denominator = rng.randint(2, top)
        return Bin("/", Num(rng.randint(1, denominator - 1)), Num(denominator))

    if difficulty == 1:
        denominator = rng.randint(3, top)
        a, b = rng.sample(range(1, denominator), 2)
        tree: Node = Bin(
            rng.choice("+-") if a > b else "+",
            Bin("/", Num(a), Num(denominator)),
            Bin("/", Num(b), Num(denominator)),
        )
    elif difficulty == 5:
        tree = Bin(rng.choice("+-"), fraction(), Bin(rng.choice("*/"), fraction(), fraction()))
    else:
        tree = Bin({2: rng.choice("+-"), 3: "*", 4: "/"}[difficulty], fraction(), fraction())
    return _draft(tree, "Work out and simplify")


def order_of_operations(rng: random.Random, difficulty: int) -> Draft:
    """More operations and larger numbers with difficulty; powers from 3, nested brackets from 4."""
    operators = "+-*" if difficulty == 1 else "+-*/" if difficulty < 3 else "+-*/^"
    tree = _expression(rng, difficulty + 1, operators, top=5 + 3 * difficulty)
    return _draft(tree, "Evaluate, following the order of operations")


def _expression(rng: random.Random, operations: int, operators: str, top: int) -> Node:
    if operations == 0:
        if "^" in operators and rng.random() < 0.3:
            return Bin("^", Num(rng.randint(2, 4)), Num(rng.choice((2, 2, 3))))
        return Num(rng.randint(1, top))
    op = rng.choice(operators.replace("^", ""))
    left_ops = rng.randint(0, operations - 1)
    left = _expression(rng, left_ops, operators, top)
    right = _expression(rng, operations - 1 - left_ops, operators, top)
    divisor = value(right).coef
    if op == "/" and 0 < abs(divisor) <= 12:
        return Bin("/", Num(int(abs(divisor)) * rng.randint(1, 9)), right)  # divides exactly
    if op == "-" and value(left).coef < divisor:
        left, right = right, left  # keep differences non-negative
    if op in "*/" and abs(value(left).coef * divisor) > 20 * top:
        op = "+"  # keep products small enough for mental arithmetic
    return Bin("*" if op == "/" else op, left, right)


def _draft(tree: Node, prompt: str) -> Draft:
    text = show(tree)
    answer = show(canonical(value(tree)))
    return Draft("evaluate", f"{prompt}: {text}", latex(tree), text, answer, "simplified")


# Many learners arrive with arithmetic, so the prior is above the default; at 0.5 two problems solved
# would already make BKT confident, where every skill should ask for about three.
_ARRIVES_KNOWN = BKTParams(p_init=0.3)

SKILLS = (
    Skill(
        "fractions", "Fraction arithmetic", "Add, subtract, multiply and divide fractions.",
        generator=fractions, move=stepwise_move, goal=GOALS["evaluate"], bkt=_ARRIVES_KNOWN,
    ),
    Skill(
        "order_of_operations", "Order of operations", "Brackets, powers, then × ÷, then + −.",
        generator=order_of_operations, move=stepwise_move, goal=GOALS["evaluate"], bkt=_ARRIVES_KNOWN,
    ),
)  # fmt: skip
