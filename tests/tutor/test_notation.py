"""Issue 13 §2: notation read the way a mathematics teacher writes it, or refused clearly."""

from __future__ import annotations

import pytest
import sympy
from sympy import E, I, Rational, Symbol, pi

from tutor.answers import answers_match
from tutor.conventions import Conventions
from tutor.judge import judge_step
from tutor.parse import MathSyntaxError, parse_math

x, y, a, b = sympy.symbols("x y a b", real=True)
theta, alpha = sympy.symbols("theta alpha", real=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cosec(3x)", sympy.csc(3 * x)),
        ("csc(x)", sympy.csc(x)),
        ("sec(x)", sympy.sec(x)),
        ("cot(x)", sympy.cot(x)),
        ("tanh(x)", sympy.tanh(x)),
        ("sinh(x) + cosh(x)", sympy.sinh(x) + sympy.cosh(x)),
        ("asin(x)", sympy.asin(x)),
        ("arcsin(x)", sympy.asin(x)),
        ("arccos(x) + arctan(x)", sympy.acos(x) + sympy.atan(x)),
        ("sin^-1(x)", sympy.asin(x)),
        (r"\sin^{-1}(x)", sympy.asin(x)),
        (r"\arccos(x)", sympy.acos(x)),
        (r"\arctan(1)", pi / 4),
        ("log_2(8)", 3),
        ("log_2 8", 3),
        (r"\log_{5}(y)", sympy.log(y, 5)),
        ("log10(100)", 2),
        ("lg(1000)", 3),
        ("log(100)", 2),
        ("log(8, 2)", 3),
        ("ln(e^2)", 2),
        ("abs(-3)", 3),
        ("floor(2.5) + ceil(2.5)", 5),
        (r"\lfloor 2.5 \rfloor", 2),
        ("5!", 120),
        ("nCr(5, 2)", 10),
        ("5C2", 10),
        (r"\binom{5}{2}", 10),
        ("binom(6, 3)", 20),
        ("e", E),
        ("i^2", -1),
        ("e^(i*pi)", -1),
        ("exp(1)", E),
        ("sqrt(-1)", I),
        ("1e3", 1000),
        ("5.1e-2", Rational(51, 1000)),
        ("1.9E+27", 19 * 10**26),
        ("½", Rational(1, 2)),
        ("⅓ + ¼", Rational(7, 12)),
        ("2½", Rational(5, 2)),
        ("x_1", Symbol("x_1", real=True)),
        ("x₁", Symbol("x_1", real=True)),
        ("x_{12}", Symbol("x_12", real=True)),
        (r"\theta + \alpha", theta + alpha),
        ("θ", theta),
        ("2theta", 2 * theta),
        ("72°", 72 * pi / 180),
        ("72^{\\circ}", 72 * pi / 180),
        ("72^\\circ", 72 * pi / 180),
        (r"121.7\degree", Rational(1217, 10) * pi / 180),
        ("cos(58 degrees)", sympy.cos(58 * pi / 180)),
        ("cos^2(3x)", sympy.cos(3 * x) ** 2),
        (r"\cos^2 x", sympy.cos(x) ** 2),
        ("216{xy}^3", 216 * (x * y) ** 3),
        ("7{x'}^2", 7 * Symbol("x'", real=True) ** 2),
        ("oo", sympy.oo),
        (r"\infty", sympy.oo),
        (r"+\infty", sympy.oo),
        (r"-\infty", -sympy.oo),
        ("x⁻¹", 1 / x),
    ],
)
def test_teacher_notation_is_read(text, expected):
    assert parse_math(text) == expected


def test_primes_name_a_derivative_function():
    value = parse_math("f'(x)")
    assert isinstance(value, sympy.core.function.AppliedUndef)
    assert value.func.__name__ == "f'" and value.args == (x,)
    assert isinstance(parse_math("f'(x) = 3x^2"), sympy.Eq)


def test_matrices_are_read():
    matrix = parse_math(r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}")
    assert matrix == sympy.ImmutableMatrix([[1, 2], [3, 4]])
    assert parse_math(r"\begin{pmatrix} x \\ 2 \end{pmatrix}").shape == (2, 1)
    typed = r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"
    assert answers_match(typed, r"\begin{pmatrix}1&2\\3&4\end{pmatrix}") is True
    assert answers_match(typed, r"\begin{bmatrix}1&2\\3&5\end{bmatrix}") is False
    assert answers_match(typed, r"\begin{bmatrix}1&2\end{bmatrix}") is False


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("tanhh(x)", "did you mean tanh?"),
        ("sine(x)", "did you mean sin?"),
        ("cosecc(x)", "did you mean cosec?"),
        ("foo(x)", "I don't know the function 'foo'"),
        (r"\sinhh x", r"\sinhh; did you mean sinh?"),
        (r"\begin{cases} x \end{cases}", "environment 'cases'"),
        (r"\begin{bmatrix} 1 & 2 \\ 3 \end{bmatrix}", "same number of entries"),
        (r"\begin{bmatrix} 1 \end{bmatrix} + 1", "matrix"),
        ("1e5000", "power of ten"),
    ],
)
def test_unknown_notation_is_refused_with_a_suggestion(text, words):
    with pytest.raises(MathSyntaxError) as caught:
        parse_math(text)
    assert words in str(caught.value)


def test_unknown_function_names_are_never_split_into_letters():
    assert not parse_math("cosec(3x)").has(Symbol("c", real=True))
    assert not parse_math("tanh(x)").has(Symbol("h", real=True))
    assert parse_math("xy(x + 1)") == x * y * (x + 1)  # two letters before brackets stay a product


def test_a_problem_may_declare_e_or_i_as_a_variable():
    e, i = sympy.symbols("e i", real=True)
    assert parse_math("2e + 1", conventions=Conventions(frozenset({"e"}))) == 2 * e + 1
    assert parse_math("i + 1", conventions=Conventions(frozenset({"i"}))) == i + 1
    assert parse_math("exp(1)", conventions=Conventions(frozenset({"e"}))) == E
    with pytest.raises(ValueError, match="can be declared"):
        Conventions(frozenset({"x"}))


def test_a_course_may_read_log_as_the_natural_logarithm():
    natural = Conventions(log_base="e")
    assert parse_math("log(e^3)", conventions=natural) == 3
    assert parse_math("log(x)", conventions=natural) == sympy.log(x)
    assert parse_math("log(x)") == sympy.log(x, 10)
    assert parse_math("log10(x)", conventions=natural) == sympy.log(x, 10)
    assert answers_match("log(e)", "1", conventions=natural) is True
    assert answers_match("log(e)", "1") is False
    with pytest.raises(ValueError, match="log_base"):
        Conventions(log_base="2")


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        ("e^(i*pi)", "-1"),
        ("exp(1)", "e"),
        ("sqrt(-1)", "i"),
        ("x = 1e3", "x = 1000"),
        ("0.051", "5.1e-2"),
        ("1.9E+27", "19*10^26"),
        ("½", "0.5"),
        ("x_1", "x₁"),
        (r"\log_{5}(y)", "ln(y)/ln(5)"),
        ("72°", "72"),
        (r"72^{\circ}", "72"),
        (r"121.7\degree", "121.7"),
        ("cos(58 degrees)", r"\cos(58^\circ)"),
        ("cos^2(3x)", "cos(3x)^2"),
        ("216{xy}^3", "216x^3y^3"),
        ("oo", r"\infty"),
        (r"+\infty", "oo"),
        ("8.19 cm", "8.19 cm"),
        ("81.9 mm", "8.19 cm"),
        ("-11x^3-x^2+7x-9", r"$$-11x^3-x^2+7x$$ $$-9$$"),
        ("16 m", "$$16$$ $$m$$"),
        ("10", r"\binom{5}{2}"),
    ],
)
def test_notation_answers_match(submitted, expected):
    assert answers_match(submitted, expected) is True


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        ("-9", r"$$-11x^3-x^2+7x$$ $$-9$$"),
        ("m", "$$16$$ $$m$$"),
        ("8.19 kg", "8.19 cm"),
        ("cos(58)", r"\cos(58^\circ)"),
        ("oo", "-oo"),
        ("1e3", "1e4"),
        ("e", "2.718281828"),
    ],
)
def test_notation_answers_that_differ(submitted, expected):
    assert answers_match(submitted, expected) is False


def test_declared_variables_reach_the_checks():
    as_variable = Conventions(frozenset({"e"}))
    assert judge_step("2e = 4", "e = 2", conventions=as_variable).status == "equivalent"
    assert judge_step("2e = 4", "e = 3", conventions=as_variable).status == "invalid"
