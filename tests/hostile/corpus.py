"""Adversarial inputs for the pure layers: code injection, resource bombs, hostile Unicode, broken LaTeX.

Shared by the CI tests in this folder and by ``bench/hostile_inputs.py``. The canary paths name the files
an injected payload would create; the tests check afterwards that none exists.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

CANARY = Path(tempfile.gettempdir()) / f"flashtutor-pwned-{os.getpid()}"
PWNED = Path(tempfile.gettempdir()) / "pwned"


def _touch(path: Path) -> str:
    return f"__import__('os').system('touch {path}')"


CODE_INJECTION = [
    _touch(CANARY),
    _touch(PWNED),
    f"x + {_touch(CANARY)}",
    f"eval(\"{_touch(CANARY)}\")",
    f"exec('open(\"{CANARY}\", \"w\")')",
    f"open('{CANARY}', 'w').write('1')",
    "().__class__.__bases__[0].__subclasses__()",
    "().__class__",
    "x.__class__.__mro__",
    "lambda: 1",
    "(lambda x: x)(2)",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "__builtins__",
    "globals()['__builtins__']",
    "import os",
    "sympify('x')",
    "Symbol('x').__init__",
    "S('1/0')",
    "Function('f')(x)",
    "x.subs(x, 2)",
    "x; import os; os.system('id')",
    "2 ** 2 ** 2 ** 2 ** 2 ** 2",
    "{0.__class__}",
    "{{x}}",
    "%s%s%s%s%n",
    "{0!r:>{1}}",
    "${7*7}",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "'; DROP TABLE users; --",
    "x = 1 or 1=1",
]

LATEX_ATTACKS = [
    r"\input{/etc/passwd}",
    r"\include{/etc/passwd}",
    r"\def\x{\x}\x",
    r"\csname relax\endcsname",
    r"\write18{touch /tmp/pwned}",
    r"\immediate\write18{rm -rf /}",
    r"\catcode`\^=12",
    r"\newcommand{\a}{\a}\a",
    r"\let\frac\relax",
    r"\expandafter\x",
    r"\boxed{\boxed{\boxed{",
    r"\frac{1}{",
    r"\frac",
    r"\frac{}{}",
    r"\sqrt[",
    r"\sqrt[3]",
    r"\left(\right.",
    r"\text{",
    r"\text{\input{/etc/passwd}}",
    r"\boxed{}",
    "$$",
    "$x",
    "\\",
    "\\\\",
    r"\frac{d}{dx}",
    r"\frac{d}{dx}\frac{d}{dx}\frac{d}{dx}",
    "d/dx",
    "d/dx d/dx d/dx x",
    r"\{ \}",
    r"\{1, 2",
    r"\boxed{" * 200,
    "$" * 1000,
    r"\left" * 300,
    r"\frac 5",
    r"\frac 12345678901234567890",
]

RESOURCE_BOMBS = [
    "9^9^9^9",
    "9**9**9**9",
    "10!!!!!!",
    "(10!)!",
    "1000!",
    "factorial(factorial(10))",
    "x^(10^100)",
    "2^(2^(2^(2^(2^5))))",
    "(x+1)^1000",
    "(x+1)^999 - (x+1)^998",
    "(x+y+z)^200",
    "10^1000",
    "10^-1000",
    "0.1^1000",
    "9" * 61,
    "1" + "0" * 10_000,
    "0." + "0" * 10_000 + "1",
    "1/0",
    "0/0",
    "0^0",
    "0^(-1)",
    "oo - oo",
    "oo/oo",
    "sqrt(-1)",
    "ln(0)",
    "log(0, 0)",
    "tan(pi/2)",
    "x/0 = 1",
    "2^0.5^0.5^0.5^0.5^0.5",
    "sin(sin(sin(sin(sin(sin(sin(sin(sin(sin(x))))))))))",
    "exp(exp(exp(exp(exp(x)))))",
    "exp(exp(exp(exp(exp(100)))))",
    "x^x^x^x^x^x",
    "(" * 10_000 + "x" + ")" * 10_000,
    "(" * 10_000,
    ")" * 10_000,
    "[" * 5_000 + "]" * 5_000,
    "{" * 5_000 + "}" * 5_000,
    "|" * 10_000,
    "-" * 10_000 + "x",
    "+-" * 5_000 + "1",
    "√" * 1_000 + "2",
    "x" * 1_000_000,
    "1+" * 200_000 + "1",
    "a" * 499 + "=1",
    "(x+1)" * 100,
    "x^2" + "²" * 100,
    "sqrt(" * 41 + "x" + ")" * 41,
    "x, " * 249 + "x",
    "x=1 or " * 70 + "x=1",
    "x=1; " * 100,
]

HOSTILE_UNICODE = [
    "",
    " ",
    "\x00",
    "x\x00+1",
    "1\x00=\x001",
    "\u202ex+1=2",  # right-to-left override
    "x\u200b+\u200b1",  # zero-width space
    "x\u200d=1",  # zero-width joiner
    "\ufeffx+1",  # byte-order mark
    "x\u00a0+ 1",  # no-break space
    "ｘ＋１",  # fullwidth
    "𝑥 + 1",  # mathematical italic
    "x\u0301 + 1",  # combining accent
    "١٢٣ + 1",  # Arabic-Indic digits
    "²³",
    "x²³",
    "\ud800",  # lone surrogate
    "x + \udfff",
    "\U0010ffff",
    "🙂 = 1",
    "\r\n\r\n",
    "\n" * 1_000,
    "\t" * 1_000,
    "x\x1b[31m+1",
    "\x7f",
    "x\u2028y",  # line separator
    "x = ±±±2",
    "±",
    "≤≥≠",
    "∞∞",
    "π" * 400,
    "ﬁ",
]

MALFORMED_MATH = [
    "x =",
    "= x",
    "==",
    "<>",
    "x <= >= 1",
    "1 < x < 2 < 3 < 4",
    "x = y = z = 1",
    "2x+3=7, 5",
    "(1, 2]",
    "[1, 2, 3]",
    "(1, 2, 3]",
    "[oo, -oo]",
    "[2, 1]",
    "(x, x)",
    "{}",
    "{,}",
    ",",
    ",,,,",
    "; ; ;",
    "and and",
    "or",
    "x or",
    "x ∈",
    "∈ [1, 2]",
    "x ∈ x",
    "2 ∈ [1, 3]",
    "[1, 2] ∪ 3",
    "∪",
    "1 ∪ 2",
    "x! = 3",
    "(-3)!",
    "(1/2)!",
    "x!",
    "diff()",
    "diff(x, 2)",
    "diff(1)",
    "diff(x, y, z)",
    "diff(x^2 + y^2)",
    "sin()",
    "sin(1, 2)",
    "log(1, 2, 3)",
    "sqrt",
    "sqrt(x",
    "1 2",
    "1..2",
    "1.2.3",
    "..",
    ".",
    "e^x",
    "x^",
    "^x",
    "*x",
    "/x",
    "x/",
    "!",
    "x!!",
    "|x",
    "||x||",
    "|x|y|",
    "x = {1, 2}",
    "{1, 2} = {2, 1}",
    "(1, 2) = 3",
    "(1, 2) + (3, 4)",
    "[1, 2] + 1",
    "{1, 2} * x",
    "x ± y = ±1",
    "±x ± y ± z",
    "x ∓ 1 = ±2",
    "{±1, ±2}",
    "(±1, 2)",
    "[±1, 2]",
    "x = 2 and y",
    "x > 1 or 5",
    "Infinity^Infinity",
    "oo^0",
    "pi^pi^pi^pi",
    "inf = inf",
    "x = oo",
]


def all_strings() -> list[str]:
    """Every corpus string once, in a stable order."""
    seen: dict[str, None] = {}
    for group in (CODE_INJECTION, LATEX_ATTACKS, RESOURCE_BOMBS, HOSTILE_UNICODE, MALFORMED_MATH):
        seen.update(dict.fromkeys(group))
    return list(seen)
