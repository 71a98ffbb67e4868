"""Radicals: simplifying square roots, then adding and multiplying them."""

from __future__ import annotations

import random

from tutor.moves.stepwise import Bin, Node, Num, Sqrt, canonical, latex, show, stepwise_move, value
from tutor.problems.problem import GOALS, Draft, Skill

_SQUARE_FREE = (2, 3, 5, 6, 7)


def _root(rng: random.Random, free: int, top: int) -> Node:
    return Sqrt(Num(rng.randint(2, top) ** 2 * free))


def radicals(rng: random.Random, difficulty: int) -> Draft:
    """sqrt(n), k sqrt(n), sums of like radicals, products, then three-term sums."""
    free, top = rng.choice(_SQUARE_FREE), 2 + difficulty
    if difficulty == 1:
        tree: Node = _root(rng, free, top)
    elif difficulty == 2:
        tree = Bin("*", Num(rng.randint(2, 5)), _root(rng, free, top))
    elif difficulty == 3:
        tree = Bin(rng.choice("+-"), _root(rng, free, top), _root(rng, free, top))
    elif difficulty == 4:
        other = rng.choice([n for n in _SQUARE_FREE if n != free])
        tree = Bin("*", Sqrt(Num(free * other)), Sqrt(Num(other * rng.randint(1, 3) ** 2)))
    else:
        tree = Bin("-", Bin("+", _root(rng, free, top), _root(rng, free, top)), _root(rng, free, 3))
    text = show(tree)
    answer = show(canonical(value(tree)))
    return Draft("simplify", f"Simplify: {text}", latex(tree), text, answer, "simplified")


SKILLS = (
    Skill(
        "radicals", "Radicals", "Simplify square roots and combine like radicals.",
        prerequisites=("exponent_rules",),
        generator=radicals, move=stepwise_move, goal=GOALS["simplify"],
    ),
)  # fmt: skip
