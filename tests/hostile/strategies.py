"""Hypothesis strategies for hostile learner input: random Unicode and grammar-built near-valid math.

The grammar produces strings that mostly get past the tokenizer, so the parser, the size limits and the
SymPy checks behind them are exercised too, not just the "unknown character" error.
"""

from __future__ import annotations

from hypothesis import strategies as st

from tests.hostile.corpus import all_strings

NUMBERS = st.one_of(
    st.integers(0, 12).map(str),
    st.integers(0, 10**80).map(str),
    st.builds(lambda a, b: f"{a}.{b}", st.integers(0, 999), st.integers(0, 999)),
    st.sampled_from(["0", "1", ".5", "1.", "00", "9" * 60, "9" * 61, "0." + "0" * 70 + "1"]),
)
ATOMS = st.one_of(
    NUMBERS,
    st.sampled_from(list("xyzabn")),
    st.sampled_from(["pi", "π", "oo", "∞", "e", "inf", r"\pi", r"\infty"]),
)
FUNCTIONS = ["sqrt", "sin", "cos", "tan", "ln", "log", "exp", "abs", "factorial", "diff", "asin", "√"]
LATEX_WRAPS = [r"\frac{{{0}}}{{{1}}}", r"\sqrt{{{0}}}", r"\sqrt[{1}]{{{0}}}", r"\left({0}\right)", r"{{{0}}}"]
BINARY = ["+", "-", "*", "/", "^", "**", " ", "·", "×", "÷", r"\cdot", r"\times", "±", "∪"]
RELATIONS = ["=", "<", ">", "<=", ">=", "!=", "≤", "≥", "≠", r"\le", r"\geq", "=="]
MATHLIKE_CATEGORIES = ["Sm", "Nd", "Ll", "Po", "Ps", "Pe", "Zs", "Cc", "Cf"]  # incl. controls, format chars
GLUE = [", ", "; ", " or ", " and ", "\n", " ∈ "]


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda a, op, b: f"{a}{op}{b}", children, st.sampled_from(BINARY), children),
        st.builds(lambda a: f"({a})", children),
        st.builds(lambda a: f"[{a}]", children),
        st.builds(lambda a: f"|{a}|", children),
        st.builds(lambda a: f"-{a}", children),
        st.builds(lambda a, bangs: a + "!" * bangs, children, st.integers(1, 4)),
        st.builds(lambda f, a: f"{f}({a})", st.sampled_from(FUNCTIONS), children),
        st.builds(lambda w, a, b: w.format(a, b), st.sampled_from(LATEX_WRAPS), children, children),
        st.builds(lambda a, b: f"{a}^{{{b}}}", children, children),
        st.builds(lambda a: f"d/dx({a})", children),
        st.builds(lambda a, b: f"({a}, {b})", children, children),
        st.builds(lambda a, b: f"{{{a}, {b}}}", children, children),
    )


EXPRESSIONS = st.recursive(ATOMS, _extend, max_leaves=12)
STATEMENTS = st.one_of(
    EXPRESSIONS,
    st.builds(lambda a, r, b: f"{a} {r} {b}", EXPRESSIONS, st.sampled_from(RELATIONS), EXPRESSIONS),
    st.builds(
        lambda a, r, b, g, c: f"{a} {r} {b}{g}{c}",
        EXPRESSIONS, st.sampled_from(RELATIONS), EXPRESSIONS, st.sampled_from(GLUE), EXPRESSIONS,
    ),
)  # fmt: skip


def _damaged(statement: str, cut: int, junk: str) -> str:
    """A statement with a random slice replaced: unbalanced brackets, dangling operators, stray text."""
    cut %= len(statement) + 1
    return statement[:cut] + junk + statement[cut + len(junk) :]


NEAR_VALID_MATH = st.one_of(
    STATEMENTS,
    st.builds(_damaged, STATEMENTS, st.integers(0, 200), st.sampled_from(list("(){}\\^$"))),
    st.builds(lambda a: rf"\boxed{{{a}}}", STATEMENTS),
    st.builds(lambda a: f"so the answer is ${a}$.", STATEMENTS),
)
HOSTILE_TEXT = st.one_of(
    st.text(max_size=80),
    st.text(st.characters(codec="utf-8", categories=MATHLIKE_CATEGORIES), max_size=60),
    st.text(st.sampled_from(["\ud800", "\udfff", "\udc80", "x", "1", "+", "("]), max_size=20),
    st.sampled_from([text for text in all_strings() if len(text) < 1000]),  # the huge ones run once each
)
ANY_INPUT = st.one_of(NEAR_VALID_MATH, HOSTILE_TEXT)
