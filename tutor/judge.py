"""The step checks themselves; they run inside a :mod:`tutor.sandbox` worker under a deadline."""

from __future__ import annotations

import sympy

from tutor.diagnose import diagnose_expression, diagnose_statement
from tutor.numeric import compare_numerically
from tutor.parse import parse_math
from tutor.solution_sets import (
    UnsolvableError,
    describe,
    difference,
    is_statement,
    solution_set,
    variables_of,
)  # fmt: skip
from tutor.verdicts import StepVerdict

EQUIVALENT_EXPRESSION = "Correct: this is equal to the line before."
EQUIVALENT_STATEMENT = "Correct: this has exactly the same solutions as the line before."
UNVERIFIABLE = "I couldn't check this step automatically; compare it carefully with the line before."


def judge_step(before_text: str, after_text: str) -> StepVerdict:
    """Compare two lines of work: expressions by value, statements by their real solutions."""
    before = evaluate_derivatives(parse_math(before_text))
    after = evaluate_derivatives(parse_math(after_text))
    if not is_statement(before) and not is_statement(after):
        return judge_expressions(before, after, before_text)
    if is_statement(before) and not is_statement(after):
        variables = variables_of(before)
        if len(variables) != 1 or after.free_symbols:
            return StepVerdict("invalid", "The line before has an equation or inequality: keep both sides.")
        after = sympy.Eq(variables[0], after, evaluate=False)
    if not is_statement(before):
        return StepVerdict("invalid", "The line before is an expression: rewrite it without =, < or >.")
    try:
        return judge_statements(before, after, before_text)
    except (UnsolvableError, NotImplementedError, TypeError, ValueError):
        return StepVerdict("unverifiable", UNVERIFIABLE)


def evaluate_derivatives(value: sympy.Basic) -> sympy.Basic:
    """``d/dx(x^2)`` is compared by its value ``2x``."""
    return value.doit(deep=True) if value.has(sympy.Derivative) else value


def expressions_equal(first: sympy.Expr, second: sympy.Expr) -> bool | None:
    """True or False when symbolic and numeric checks settle it, None when they cannot."""
    difference_ = first - second
    if difference_ == 0 or sympy.expand(difference_) == 0:
        numeric, _ = compare_numerically(first, second)
        return None if numeric is False else True
    numeric, _ = compare_numerically(first, second)
    if numeric is False:
        return False
    if sympy.simplify(difference_) == 0:
        return True
    return numeric


def judge_expressions(before: sympy.Expr, after: sympy.Expr, before_text: str) -> StepVerdict:
    if isinstance(before, sympy.Tuple) or isinstance(after, sympy.Tuple):
        return StepVerdict("invalid", "A point can't be rewritten as an expression.")
    equal = expressions_equal(before, after)
    if equal is True:
        return StepVerdict("equivalent", EQUIVALENT_EXPRESSION)
    if equal is None:
        return StepVerdict("unverifiable", UNVERIFIABLE)
    _, point = compare_numerically(before, after)
    message = diagnose_expression(before_text, after)
    if message is None and point:
        where = ", ".join(f"{symbol} = {value}" for symbol, value in point.items())
        message = f"This is not equal to the line before: they differ at {where}."
    return StepVerdict("invalid", message or "This is not equal to the line before.")


def judge_statements(before: sympy.Basic, after: sympy.Basic, before_text: str) -> StepVerdict:
    variables = variables_of(before, after)
    if len(variables) > 1:
        return judge_system(before, after, variables)
    variable = variables[0] if variables else sympy.Symbol("x", real=True)
    before_set, after_set = solution_set(before, variable), solution_set(after, variable)
    lost, extra = difference(before_set, after_set), difference(after_set, before_set)
    lost_text, extra_text = describe(lost, variable), describe(extra, variable)
    if not lost_text and not extra_text:
        return StepVerdict("equivalent", EQUIVALENT_STATEMENT)
    if not lost_text:
        return StepVerdict("implied", implied_message(extra_text), extra=extra_text)
    message = diagnose_statement(before_text, before, after, variable, before_set, after_set)
    return StepVerdict("invalid", message or lost_message(lost_text, extra_text), lost_text, extra_text)


def implied_message(extra: list[str]) -> str:
    return (
        f"Every solution is kept, but new ones appeared ({', '.join(extra)}). That happens after squaring "
        "both sides or multiplying by an expression that can be zero: check your answers in the original."
    )


def lost_message(lost: list[str], extra: list[str]) -> str:
    message = f"This step lost the solution {', '.join(lost)}."
    if extra:
        return message + f" It also added {', '.join(extra)}: the step changed the problem."
    return message + " Dividing by an expression that can be zero loses solutions; factor instead."


def judge_system(before: sympy.Basic, after: sympy.Basic, variables: list[sympy.Symbol]) -> StepVerdict:
    """Several unknowns: compare complete solutions of equations, or a single equation up to a factor."""
    before_equations, after_equations = _equations(before), _equations(after)
    if len(before_equations) == 1 and len(after_equations) == 1:
        ratio = sympy.cancel(_zero_form(before_equations[0]) / _zero_form(after_equations[0]))
        if ratio.is_number and ratio != 0:
            return StepVerdict("equivalent", EQUIVALENT_STATEMENT)
    before_solutions = sympy.solve(before_equations, variables, dict=True)
    after_solutions = sympy.solve(after_equations, variables, dict=True)
    if not all(_complete(solution, variables) for solution in before_solutions):
        raise UnsolvableError("the line before has infinitely many solutions")
    lost = [_point_text(s) for s in before_solutions if not all(_holds(e, s) for e in after_equations)]
    if lost:
        message = (
            f"The solution {'; '.join(lost)} of the line before does not fit your step: check your work."
        )
        return StepVerdict("invalid", message, lost)
    if all(_complete(s, variables) for s in after_solutions):
        extra = [_point_text(s) for s in after_solutions if s not in before_solutions]
        if not extra:
            return StepVerdict("equivalent", EQUIVALENT_STATEMENT)
        return StepVerdict("implied", implied_message(extra), extra=extra)
    return StepVerdict("implied", "This follows from the line before but has more solutions; keep going.")


def _equations(statement: sympy.Basic) -> list[sympy.Eq]:
    parts = statement.args if isinstance(statement, sympy.And) else (statement,)
    if not all(isinstance(part, sympy.Eq) for part in parts):
        raise UnsolvableError("only equations are compared when there are several unknowns")
    return list(parts)


def _zero_form(equation: sympy.Eq) -> sympy.Expr:
    return equation.lhs - equation.rhs


def _complete(solution: dict[sympy.Symbol, sympy.Expr], variables: list[sympy.Symbol]) -> bool:
    return len(solution) == len(variables) and not any(value.free_symbols for value in solution.values())


def _holds(equation: sympy.Eq, solution: dict[sympy.Symbol, sympy.Expr]) -> bool:
    return sympy.simplify(_zero_form(equation).subs(solution)) == 0


def _point_text(solution: dict[sympy.Symbol, sympy.Expr]) -> str:
    ordered = sorted(solution.items(), key=lambda item: item[0].name)
    return ", ".join(f"{symbol} = {value}" for symbol, value in ordered)
