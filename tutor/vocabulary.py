"""Every word, command and symbol the math reader knows, and what each one means.

The lexer only turns text into tokens through these tables; anything not listed is refused, with a
suggestion when a known spelling is close (``tanhh`` → ``tanh``).
"""

from __future__ import annotations

import difflib
import unicodedata
from fractions import Fraction

# Canonical function names; the builders know how to apply each one.
FUNCTIONS = frozenset({
    "sqrt", "cbrt", "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan", "acot", "asec",
    "acsc", "sinh", "cosh", "tanh", "coth", "sech", "csch", "asinh", "acosh", "atanh", "ln", "log",
    "exp", "abs", "floor", "ceil", "factorial", "binom", "diff",
})  # fmt: skip

# Other spellings teachers and calculators use for the same functions.
ALIASES = {
    "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arccot": "acot", "arcsec": "asec",
    "arccsc": "acsc", "cosec": "csc", "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh",
    "arsinh": "asinh", "arcosh": "acosh", "artanh": "atanh", "ceiling": "ceil", "nCr": "binom",
    "ncr": "binom", "choose": "binom", "fact": "factorial",
}  # fmt: skip

# ``sin^-1(x)`` is the inverse function, as on calculators and in most textbooks.
INVERSES = {
    "sin": "asin", "cos": "acos", "tan": "atan", "cot": "acot", "sec": "asec", "csc": "acsc",
    "sinh": "asinh", "cosh": "acosh", "tanh": "atanh",
}  # fmt: skip

# ``lg`` and ``log10`` are base 10 whatever ``log`` means; ``log2`` is base 2.
FIXED_BASE_LOGS = {"lg": 10}

CONSTANTS = {"pi": "pi", "oo": "oo", "inf": "oo", "infty": "oo", "infinity": "oo"}
WORDS = frozenset({"or", "and"})
DEGREE_WORDS = frozenset({"degrees", "degree"})

# Greek letters spelt out in plain text. Two-letter ones (mu, nu, xi) are left out: ``xi`` is far more
# often x times i than the letter xi. LaTeX commands (\mu, \nu, \xi) reach every letter.
GREEK_NAMES = (
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
    "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
)  # fmt: skip
GREEK_CAPITALS = ("Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega")
LATEX_GREEK = {
    **{name: name for name in (*GREEK_NAMES, "mu", "nu", "xi", "omicron", *GREEK_CAPITALS)},
    "varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varrho": "rho", "varsigma": "sigma",
}  # fmt: skip
UNICODE_GREEK = {
    chr(code): unicodedata.name(chr(code)).split()[-1].lower()
    for code in range(ord("α"), ord("ω") + 1)
    if chr(code) not in "πς"
} | {
    chr(code): unicodedata.name(chr(code)).split()[-1].capitalize()
    for code in range(ord("Α"), ord("Ω") + 1)
    if code != 0x03A2  # unassigned
}

# Plain-text words, longest first so that ``tanh`` wins over ``tan`` and ``cosec`` over ``cos``.
PLAIN_WORDS = sorted(
    FUNCTIONS | set(ALIASES) | set(FIXED_BASE_LOGS) | set(CONSTANTS) | WORDS | DEGREE_WORDS
    | set(GREEK_NAMES) | set(GREEK_CAPITALS),
    key=len,
    reverse=True,
)  # fmt: skip
FUNCTION_SPELLINGS = sorted(FUNCTIONS | set(ALIASES) | set(FIXED_BASE_LOGS) | {"log10", "log2"})

LATEX_COMMANDS = {
    **{name: ("func", name) for name in FUNCTIONS - {"abs", "factorial", "diff", "ceil"}},
    **{name: ("func", target) for name, target in ALIASES.items() if name.startswith("arc")},
    "lg": ("func", "lg"), "cosec": ("func", "csc"),
    "frac": ("func", "frac"), "dfrac": ("func", "frac"), "tfrac": ("func", "frac"),
    "binom": ("func", "binom"), "dbinom": ("func", "binom"), "tbinom": ("func", "binom"),
    "cdot": ("op", "*"), "times": ("op", "*"), "div": ("op", "/"),
    "pm": ("op", "±"), "mp": ("op", "∓"),
    "le": ("rel", "<="), "leq": ("rel", "<="), "leqslant": ("rel", "<="),
    "ge": ("rel", ">="), "geq": ("rel", ">="), "geqslant": ("rel", ">="),
    "lt": ("rel", "<"), "gt": ("rel", ">"), "ne": ("rel", "!="), "neq": ("rel", "!="),
    "pi": ("const", "pi"), "infty": ("const", "oo"), "degree": ("op", "°"),
    "cup": ("op", "∪"), "in": ("op", "∈"), "{": ("op", "set{"), "}": ("op", "set}"),
    "lbrace": ("op", "set{"), "rbrace": ("op", "set}"), "vert": ("op", "|"), "lvert": ("op", "|"),
    "rvert": ("op", "|"), "mid": ("op", "|"), "lfloor": ("op", "⌊"), "rfloor": ("op", "⌋"),
    "lceil": ("op", "⌈"), "rceil": ("op", "⌉"), "\\": ("op", "row"),
    "lor": ("word", "or"), "vee": ("word", "or"), "land": ("word", "and"), "wedge": ("word", "and"),
    **{name: ("letter", letter) for name, letter in LATEX_GREEK.items()},
}  # fmt: skip
LATEX_IGNORED = {"left", "right", "displaystyle", ",", ";", ":", "!", " ", "quad", "qquad", "big", "Big"}
LATEX_TEXT = {"text", "mathrm", "textbf", "mbox", "textrm", "operatorname"}
MATRIX_ENVIRONMENTS = {"matrix", "pmatrix", "bmatrix", "Bmatrix"}

UNICODE = {
    "−": ("op", "-"), "–": ("op", "-"), "·": ("op", "*"), "⋅": ("op", "*"), "×": ("op", "*"),
    "∙": ("op", "*"), "÷": ("op", "/"), "±": ("op", "±"), "∓": ("op", "∓"), "√": ("func", "sqrt"),
    "∛": ("func", "cbrt"), "π": ("const", "pi"), "∞": ("const", "oo"), "∪": ("op", "∪"),
    "∈": ("op", "∈"), "°": ("op", "°"), "⌊": ("op", "⌊"), "⌋": ("op", "⌋"), "⌈": ("op", "⌈"),
    "⌉": ("op", "⌉"), "≤": ("rel", "<="), "≥": ("rel", ">="), "≠": ("rel", "!="), "⩽": ("rel", "<="),
    "⩾": ("rel", ">="), "′": ("op", "'"),
}  # fmt: skip
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
VULGAR_FRACTIONS = {
    char: Fraction(unicodedata.numeric(char)).limit_denominator(10) for char in "½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅐⅛⅜⅝⅞⅑⅒"
}


def suggestion(word: str, choices: list[str]) -> str:
    """``; did you mean tanh?`` when a known spelling is close to ``word``, else nothing."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""
