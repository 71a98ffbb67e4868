"""parse_math: every input form learners type, hostile and oversized input, and error positions."""

from __future__ import annotations

import builtins

import pytest
import sympy
from sympy import (
    Abs,
    And,
    Derivative,
    Eq,
    FiniteSet,
    Ge,
    Gt,
    Interval,
    Le,
    Lt,
    Ne,
    Or,
    Rational,
    Tuple,
    Union,
)

from tutor.parse import Conventions, MathSyntaxError, parse_math, to_latex

x, y = sympy.symbols("x y", real=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2x+3", 2 * x + 3),
        ("3(x+1)", 3 * x + 3),
        ("(x+1)(x-1)", (x + 1) * (x - 1)),
        ("xy", x * y),
        ("x^2", x**2),
        ("x**2", x**2),
        ("x²", x**2),
        ("2·x", 2 * x),
        ("2×x", 2 * x),
        ("6 ÷ 2", 3),
        ("−3 + x", x - 3),
        ("|x| - 1", Abs(x) - 1),
        ("||x|-1|", Abs(Abs(x) - 1)),
        ("2|x|+|y|", 2 * Abs(x) + Abs(y)),
        ("sqrt(x)", sympy.sqrt(x)),
        ("√(x+1)", sympy.sqrt(x + 1)),
        ("0.5", Rational(1, 2)),
        (".25x", x / 4),
        ("2^-1", Rational(1, 2)),
        ("-x^2", -(x**2)),
        ("5!", 120),
        ("sin x + cos(x)", sympy.sin(x) + sympy.cos(x)),
        ("log(100)", 2),
        ("pi", sympy.pi),
        ("π r", sympy.pi * sympy.Symbol("r", real=True)),
        (r"\frac{x}{2}", x / 2),
        (r"\dfrac{3}{4}", Rational(3, 4)),
        (r"\frac 59", Rational(5, 9)),
        (r"\frac43", Rational(4, 3)),
        (r"\frac9{19}", Rational(9, 19)),
        (r"\sqrt{x+1}", sympy.sqrt(x + 1)),
        (r"\sqrt[3]{8}", 2),
        (r"3 \cdot \left( x + 1 \right)", 3 * x + 3),
        (r"x^{2} + 2x", x**2 + 2 * x),
        (r"\boxed{x + 1}", x + 1),
        (r"The answer is $\frac{1}{2}$.", Rational(1, 2)),
        (r"so we get $$x^2$$", x**2),
    ],
)
def test_expressions(text, expected):
    assert parse_math(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2x+3=7", Eq(2 * x + 3, 7)),
        ("x < 3", Lt(x, 3)),
        ("x <= 3", Le(x, 3)),
        ("x ≤ 3", Le(x, 3)),
        (r"x \le 3", Le(x, 3)),
        ("x > 3", Gt(x, 3)),
        ("x >= 3", Ge(x, 3)),
        ("x ≥ 3", Ge(x, 3)),
        (r"x \geq 3", Ge(x, 3)),
        ("x != 3", Ne(x, 3)),
        ("1 < x <= 3", And(Lt(1, x), Le(x, 3))),
        (r"\boxed{x = 3}", Eq(x, 3)),
    ],
)
def test_relations(text, expected):
    assert parse_math(text) == expected


def test_relations_stay_unevaluated_so_identities_survive():
    assert isinstance(parse_math("2 = 2"), sympy.Eq)


@pytest.mark.parametrize(
    "text",
    [
        "x = 2 or x = -2",
        "x = 2, -2",
        "x = 2, x = -2",
        "x = ±2",
        r"x = \pm 2",
        "x = 2 or -2",
        r"x=2 \text{ or } x=-2",
    ],
)
def test_alternatives(text):
    assert parse_math(text) == Or(Eq(x, 2), Eq(x, -2))


@pytest.mark.parametrize("text", ["x+y=3, x-y=1", "x+y=3; x-y=1", "x+y=3 and x-y=1", "x+y=3\nx-y=1"])
def test_systems(text):
    assert parse_math(text) == And(Eq(x + y, 3), Eq(x - y, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(1, 2)", Tuple(1, 2)),
        (r"\left( 3, \frac{\pi}{2} \right)", Tuple(3, sympy.pi / 2)),
        ("(6,31,-1)", Tuple(6, 31, -1)),
        ("[1, 2]", Interval(1, 2)),
        ("[1, 2)", Interval.Ropen(1, 2)),
        ("(3,4]", Interval.Lopen(3, 4)),
        ("(2, oo)", Interval.open(2, sympy.oo)),
        (r"(-\infty, 0]", Interval(-sympy.oo, 0)),
        ("(-∞, 2) ∪ (3, ∞)", Union(Interval.open(-sympy.oo, 2), Interval.open(3, sympy.oo))),
        (r"(0,9) \cup (9,36)", Union(Interval.open(0, 9), Interval.open(9, 36))),
        (r"x \in [-2,7]", Interval(-2, 7)),
        ("{1, 2}", FiniteSet(1, 2)),
        (r"\{1\pm\sqrt{5},-2\}", FiniteSet(1 + sympy.sqrt(5), 1 - sympy.sqrt(5), -2)),
        ("1, -2", FiniteSet(1, -2)),
        (r"3 \pm 2 \sqrt{2}", FiniteSet(3 + 2 * sympy.sqrt(2), 3 - 2 * sympy.sqrt(2))),
    ],
)
def test_points_intervals_and_sets(text, expected):
    assert parse_math(text) == expected


@pytest.mark.parametrize(
    "text", ["d/dx(x^3 + x)", r"\frac{d}{dx}(x^3 + x)", r"\frac{d}{dx} \left(x^3+x\right)", "diff(x^3+x, x)"]
)
def test_derivatives_stay_unevaluated(text):
    result = parse_math(text)
    assert isinstance(result, Derivative)
    assert result == Derivative(x**3 + x, x)
    assert result.doit() == 3 * x**2 + 1


def test_symbols_are_real_single_letters():
    assert all(symbol.is_real for symbol in parse_math("ab + c").free_symbols)
    assert {s.name for s in parse_math("ab + c").free_symbols} == {"a", "b", "c"}


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("3 + (x", 6, "Expected ')'"),
        ("x)", 1, "didn't expect ')'"),
        ("2x +", 4, "ends too early"),
        ("2 3", 2, "Two numbers in a row"),
        ("x # 2", 2, "character '#'"),
        ("1/0", 1, "divides by zero"),
        (r"\input{/etc/passwd}", 0, r"LaTeX command \input"),
        (r"The answer is $x + $", 19, "ends too early"),
        ("x_", 1, "didn't expect '_'"),
        (r"5 \text{apples}", 2, "not math"),
    ],
)
def test_errors_say_what_and_where(text, position, words):
    with pytest.raises(MathSyntaxError) as caught:
        parse_math(text)
    assert caught.value.position == position
    assert words in str(caught.value)
    assert f"at position {position + 1}" in str(caught.value)


def test_syntax_error_is_a_value_error():
    assert issubclass(MathSyntaxError, ValueError)
    with pytest.raises(ValueError, match="no math"):
        parse_math("   ")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("9^9^9^9", "exponent"),
        ("2^(10^6)", "exponent"),
        ("x^100000", "exponent"),
        ("(10^999)^999", "too many digits"),
        ("factorial(10**7)", "factorial"),
        ("100000!", "factorial"),
        ("1" * 100, "too long"),
        ("x+" * 300 + "1", "too long"),
        ("(" * 60 + "x" + ")" * 60, "nested too deeply"),
        ("-" * 100 + "x", "nested too deeply"),
    ],
)
def test_oversized_input_is_refused_quickly(text, words):
    with pytest.raises(MathSyntaxError, match=words):
        parse_math(text)


HOSTILE = [
    "__import__('os').system('touch {marker}')",
    "open('{marker}', 'w').write('x')",
    "globals().__setitem__('PWNED', 1)",
    "(lambda: __import__('os'))()",
    "x.__class__.__mro__",
    "exec('PWNED = 1')",
    "eval('1')",
    r"\input{{{marker}}}",
    r"\write18{{touch {marker}}}",
    "sympify('x')",
    "Symbol('x')",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_input_runs_no_code(template, tmp_path, monkeypatch):
    marker = tmp_path / "marker"

    def refuse(*args, **kwargs):
        raise AssertionError("parsing must not evaluate code")

    def refuse_strings(value, *args, **kwargs):
        if isinstance(value, str):
            raise AssertionError("parsing must not sympify strings")
        return original_sympify(value, *args, **kwargs)

    original_sympify = sympy.sympify
    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(builtins, "__import__", _imports_only_loaded_modules(builtins.__import__))
    monkeypatch.setattr(sympy, "sympify", refuse_strings)
    monkeypatch.setattr(sympy.parsing.sympy_parser, "parse_expr", refuse)
    try:
        result = parse_math(template.format(marker=marker))
    except MathSyntaxError:
        result = None
    assert not marker.exists()
    assert "PWNED" not in globals() and not hasattr(builtins, "PWNED")
    assert result is None or isinstance(result, sympy.Basic)


def _imports_only_loaded_modules(real_import):
    import sys

    def guarded(name, *args, **kwargs):
        if name.split(".")[0] in {"os", "subprocess", "shutil"} and name not in sys.modules:
            raise AssertionError(f"parsing must not import {name}")
        return real_import(name, *args, **kwargs)

    return guarded


def test_harmless_letter_words_are_just_products():
    e_x_c = Conventions(variables=frozenset({"e"}))
    assert parse_math("exec", conventions=e_x_c) == sympy.Mul(*sympy.symbols("e x e c", real=True))
    assert parse_math("exec") == sympy.E**2 * sympy.Mul(*sympy.symbols("x c", real=True))


def test_to_latex_previews():
    assert to_latex(parse_math(r"\frac{x}{2}")) == r"\frac{x}{2}"
    assert to_latex(parse_math("x = 2 or x = -2")) == r"x = -2 \text{ or } x = 2"
    assert "," in to_latex(parse_math("x+y=3, x-y=1"))
