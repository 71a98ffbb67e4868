"""The step checks themselves; they run inside a :mod:`tutor.sandbox` worker under a deadline."""

from __future__ import annotations

import sympy

from tutor.conventions import DEFAULT, Conventions
from tutor.diagnose import diagnose_expression, diagnose_statement
from tutor.equality import expressions_equal
from tutor.numeric import compare_numerically
from tutor.parse import parse_math
from tutor.relations import compare_solved, counterexample, same_statement
from tutor.solution_sets import (
    UnsolvableError,
    describe,
    difference,
    is_statement,
    solution_set,
    variables_of,
)  # fmt: skip
from tutor.verdicts import StepStatus, StepVerdict

EQUIVALENT_EXPRESSION = "Correct: this is equal to the line before."
EQUIVALENT_STATEMENT = "Correct: this has exactly the same solutions as the line before."
UNVERIFIABLE = "I couldn't check this step automatically; compare it carefully with the line before."


def judge_step(before_text: str, after_text: str, *, conventions: Conventions = DEFAULT) -> StepVerdict:
    """Compare two lines of work: expressions by value, statements by their real solutions."""
    before = evaluate_derivatives(parse_math(before_text, conventions=conventions))
    after = evaluate_derivatives(parse_math(after_text, conventions=conventions))
    if not is_statement(before) and not is_statement(after):
        return judge_expressions(before, after, before_text)
    if is_statement(before) and not is_statement(after):
        variables = variables_of(before)
        if len(variables) != 1 or after.free_symbols:
            return StepVerdict(
                StepStatus.INVALID, "The line before has an equation or inequality: keep both sides."
            )
        after = sympy.Eq(variables[0], after, evaluate=False)
    if not is_statement(before):
        return StepVerdict(
            StepStatus.INVALID, "The line before is an expression: rewrite it without =, < or >."
        )
    try:
        return judge_statements(before, after, before_text)
    except (UnsolvableError, NotImplementedError, TypeError, ValueError):
        return StepVerdict(StepStatus.UNVERIFIABLE, UNVERIFIABLE)


def evaluate_derivatives(value: sympy.Basic) -> sympy.Basic:
    """``d/dx(x^2)`` is compared by its value ``2x``."""
    return value.doit(deep=True) if value.has(sympy.Derivative) else value


def judge_expressions(before: sympy.Expr, after: sympy.Expr, before_text: str) -> StepVerdict:
    if isinstance(before, sympy.Tuple) or isinstance(after, sympy.Tuple):
        return StepVerdict(StepStatus.INVALID, "A point can't be rewritten as an expression.")
    equal = expressions_equal(before, after)
    if equal is True:
        return StepVerdict(StepStatus.EQUIVALENT, EQUIVALENT_EXPRESSION)
    if equal is None:
        return StepVerdict(StepStatus.UNVERIFIABLE, UNVERIFIABLE)
    diagnosis = diagnose_expression(before_text, after)
    if diagnosis is not None:
        return StepVerdict(StepStatus.INVALID, diagnosis.message, misconception=diagnosis.misconception)
    _, point = compare_numerically(before, after)
    if point:
        where = ", ".join(f"{symbol} = {value}" for symbol, value in point.items())
        return StepVerdict(
            StepStatus.INVALID, f"This is not equal to the line before: they differ at {where}."
        )
    return StepVerdict(StepStatus.INVALID, "This is not equal to the line before.")


def judge_statements(before: sympy.Basic, after: sympy.Basic, before_text: str) -> StepVerdict:
    variables = variables_of(before, after)
    if len(variables) > 1:
        return judge_system(before, after, variables)
    variable = variables[0] if variables else sympy.Symbol("x", real=True)
    before_set, after_set = solution_set(before, variable), solution_set(after, variable)
    lost, extra = difference(before_set, after_set), difference(after_set, before_set)
    lost_text, extra_text = describe(lost, variable), describe(extra, variable)
    if not lost_text and not extra_text:
        return StepVerdict(StepStatus.EQUIVALENT, EQUIVALENT_STATEMENT)
    if not lost_text:
        return StepVerdict(StepStatus.IMPLIED, implied_message(extra_text), extra=extra_text)
    diagnosis = diagnose_statement(before_text, before, after, variable, before_set, after_set)
    if diagnosis is None:
        return StepVerdict(StepStatus.INVALID, lost_message(lost_text, extra_text), lost_text, extra_text)
    return StepVerdict(StepStatus.INVALID, diagnosis.message, lost_text, extra_text, diagnosis.misconception)


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
    """Several unknowns: the same statement up to constant factors, a literal equation solved for one
    letter (``y = 2x + 3`` → ``x = (y - 3)/2``), or the complete solutions of a system of equations.
    A point where one line holds and the other does not refutes the step."""
    if _is_system(before) and _is_system(after):  # solving is exact, and faster than comparing forms
        try:
            return judge_equations(_equations(before), _equations(after), variables)
        except UnsolvableError:
            pass
    if same_statement(before, after):
        return StepVerdict(StepStatus.EQUIVALENT, EQUIVALENT_STATEMENT)
    if point := counterexample(before, after):
        where = ", ".join(f"{symbol} = {value}" for symbol, value in point.items())
        message = f"This does not follow from the line before: at {where} it holds and your line does not."
        return StepVerdict(StepStatus.INVALID, message)
    before_equations, after_equations = _equations(before), _equations(after)
    if len(before_equations) == 1 and len(after_equations) == 1:
        # after the search for a counterexample: solving for one letter ignores special cases (a·b = 0)
        verdict = judge_literal_equation(before_equations[0], after_equations[0])
        if verdict is not None:
            return verdict
    return judge_equations(before_equations, after_equations, variables)


def judge_literal_equation(before: sympy.Eq, after: sympy.Eq) -> StepVerdict | None:
    """One equation in several letters rearranged: both are solved for the same letter and compared."""
    compared = compare_solved(before, after)
    if compared is None:
        return None
    lost, extra = compared
    if not lost and not extra:
        return StepVerdict(StepStatus.EQUIVALENT, EQUIVALENT_STATEMENT)
    if not lost:
        return StepVerdict(StepStatus.IMPLIED, implied_message(extra), extra=extra)
    message = "This does not follow from the line before: check the operation you did on both sides."
    return StepVerdict(StepStatus.INVALID, message)


def judge_equations(
    before_equations: list[sympy.Eq], after_equations: list[sympy.Eq], variables: list[sympy.Symbol]
) -> StepVerdict:
    """Systems of equations compared by their complete solutions."""
    before_solutions = sympy.solve(before_equations, variables, dict=True)
    after_solutions = sympy.solve(after_equations, variables, dict=True)
    if not all(_complete(solution, variables) for solution in before_solutions):
        raise UnsolvableError("the line before has infinitely many solutions")
    lost = [_point_text(s) for s in before_solutions if not all(_holds(e, s) for e in after_equations)]
    if lost:
        message = (
            f"The solution {'; '.join(lost)} of the line before does not fit your step: check your work."
        )
        return StepVerdict(StepStatus.INVALID, message, lost)
    if all(_complete(s, variables) for s in after_solutions):
        extra = [_point_text(s) for s in after_solutions if s not in before_solutions]
        if not extra:
            return StepVerdict(StepStatus.EQUIVALENT, EQUIVALENT_STATEMENT)
        return StepVerdict(StepStatus.IMPLIED, implied_message(extra), extra=extra)
    return StepVerdict(
        StepStatus.IMPLIED, "This follows from the line before but has more solutions; keep going."
    )


def _is_system(statement: sympy.Basic) -> bool:
    return isinstance(statement, sympy.And) and all(isinstance(part, sympy.Eq) for part in statement.args)


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
