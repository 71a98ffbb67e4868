"""parse_math under hostile input: a SymPy object or a MathSyntaxError with a message, fast, every time."""

from __future__ import annotations

import builtins
import time

import pytest
import sympy
from hypothesis import given, settings
from sympy.logic.boolalg import BooleanAtom

from tests.hostile.corpus import CODE_INJECTION, all_strings
from tests.hostile.strategies import ANY_INPUT, NEAR_VALID_MATH
from tutor.parse import MathSyntaxError, parse_math, to_latex

ALLOWED_SHAPES = (sympy.Expr, sympy.Rel, sympy.Or, sympy.And, sympy.Tuple, sympy.Set, BooleanAtom)
PARSE_SECONDS = 2.0  # parse_math runs in the web process, outside the checking sandbox: it must be quick


def parse_or_refuse(text: str) -> sympy.Basic | None:
    """Parse ``text`` as the app does; None for a clear refusal, a test failure for anything else."""
    started = time.perf_counter()
    try:
        result = parse_math(text)
        to_latex(result)
    except MathSyntaxError as error:
        assert str(error).strip(), f"empty message for {text[:80]!r}"
        assert error.position is None or 0 <= error.position <= len(text)
        result = None
    elapsed = time.perf_counter() - started
    assert elapsed < PARSE_SECONDS, f"parse took {elapsed:.1f} s for {text[:80]!r}"
    return result


@pytest.mark.parametrize(
    "text",
    [
        r"\sqrt[0.00000001]{99}",  # a root with a tiny index is a huge power: it used to hang the parser
        r"\sqrt[(126.358^{1})]{|126.358^{1}|}",  # (a/b)^(p/q) with a big q built a 170,000-digit integer
        "(63179/500)^(1/63179)",
        "sqrt(415.238^{415.238})",  # took 2.6 s in the web process: SymPy factored a 4,860-digit number
    ],
)
def test_huge_powers_hidden_in_roots_and_fractions_are_refused(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(MathSyntaxError, match=r"too large|too many digits"):
        parse_math(text)
    assert time.perf_counter() - started < PARSE_SECONDS


@pytest.mark.parametrize("text", ["|12.1!!!|", "(12.1!)!", "pi!", "sqrt(2)!"])
def test_factorials_of_non_integers_are_refused(text: str) -> None:
    """``|12.1!!!|`` used to hang the parser: SymPy asked mpmath for the sign of a gigantic gamma value."""
    started = time.perf_counter()
    with pytest.raises(MathSyntaxError, match="factorial needs a whole number"):
        parse_math(text)
    assert time.perf_counter() - started < PARSE_SECONDS


@pytest.mark.parametrize(
    "text", [r"\left(30.418\right) == {1, y}!", "[1, 2]!", "(1, 2)^2", "sqrt([1, 2])", "d/dx({0.5, 0})"]
)
def test_sets_and_points_where_a_number_belongs_are_refused(text: str) -> None:
    """``{1, y}!`` used to parse, then crash check_step with AttributeError deep inside SymPy."""
    with pytest.raises(MathSyntaxError, match="needs a number or an expression"):
        parse_math(text)


@pytest.mark.parametrize(
    "text",
    [
        r"so the answer is $(\sqrt[oo]{402.161}, \sqrt[oo]{402.161})*[13562843]$.",  # took 54 s
        "(1, 2) * 10^7",
        "(1, 2) + (3, 4)",
        r"\boxed{∞^{pi}±∞^{∞} ≥ ∞^{pi}±∞^{∞}}",  # escaped as TypeError: Invalid NaN comparison
        r"\infty±∞",
    ],
)
def test_arithmetic_on_points_and_nan_alternatives_is_refused_quickly(text: str) -> None:
    """Found by bench/hostile_inputs.py."""
    started = time.perf_counter()
    with pytest.raises(MathSyntaxError, match="does not make sense"):
        parse_math(text)
    assert time.perf_counter() - started < PARSE_SECONDS


@pytest.mark.parametrize("text", all_strings(), ids=range(len(all_strings())))
def test_every_corpus_string_parses_or_is_refused_quickly(text: str) -> None:
    parse_or_refuse(text)


def test_python_is_never_evaluated(monkeypatch: pytest.MonkeyPatch) -> None:
    """With eval, exec and compile turned into tripwires, injection payloads are still only refused."""

    def tripwire(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the parser tried to run code: {args[:1]!r}")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, tripwire)
    for payload in CODE_INJECTION:
        if "__" in payload or "import" in payload or "lambda" in payload:
            with pytest.raises(MathSyntaxError):
                parse_math(payload)
        else:
            parse_or_refuse(payload)


def test_deep_nesting_is_refused_with_the_limit() -> None:
    with pytest.raises(MathSyntaxError, match="nested too deeply"):
        parse_math("(" * 200 + "x" + ")" * 200)


@settings(settings.get_profile("hostile"), max_examples=300)
@given(ANY_INPUT)
def test_any_text_parses_or_is_refused(text: str) -> None:
    parse_or_refuse(text)


@settings(settings.get_profile("hostile"), max_examples=200)
@given(NEAR_VALID_MATH)
def test_what_parses_is_an_allowed_shape(text: str) -> None:
    result = parse_or_refuse(text)
    assert result is None or isinstance(result, ALLOWED_SHAPES), f"{text!r} gave {type(result).__name__}"
