"""Grade the model's output the way the field does: Math-Verify, run in the checking pool.

A pass@1 is only comparable with a model card's figure when the answers are graded by the same rules, and
the open evaluation tools grade with Math-Verify: it finds the final answer in free text (``\\boxed{}``,
``$$..$$``, ``\\[..\\]``, "the answer is ...", a bare number at the end of long reasoning) and compares
it with the gold answer as math (percentages, thousands separators, decimal commas, matrices, tuples,
sets, intervals, equations, ``\\text{}`` answers).

Two rules keep it safe on untrusted text:

- Math-Verify's LaTeX path parses with its own grammar and evaluates nothing. Its plain-expression path
  hands the text it found to SymPy's ``parse_expr``, which is ``eval``; that path is used only when every
  piece of text it could hand over is one that :func:`tutor.parse.parse_math` (no ``eval``) accepts.
- Math-Verify's own time limits use ``signal.alarm``, which only works on a main thread. They are
  switched off, and the whole grading runs in the tutor's checking pool under its deadline instead.

Learner input keeps the tutor's own parser (:mod:`tutor.verify`); this module is for model output.
"""

from __future__ import annotations

import contextlib
import logging
import re
from concurrent.futures import ThreadPoolExecutor

from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify
from math_verify.parser import get_extraction_regexes

from tutor import checking
from tutor.parse import MathSyntaxError, parse_math
from tutor.sandbox import DeadlineExceeded
from tutor.verify import DEFAULT_SECONDS

__all__ = ["DeadlineExceeded", "grade_output", "output_matches_gold", "warm_up_grading"]
WARM_UP_SECONDS = 120.0  # loading SymPy and Math-Verify in a new process, on a busy machine

# Math-Verify warns once per process that its own timeouts are off; the pool's deadline replaces them.
logging.getLogger("math_verify").setLevel(logging.ERROR)

_LATEX = LatexExtractionConfig(boxed_match_priority=0)  # a \boxed{} answer first, as Math-Verify's tests
_EXPRESSION = ExprExtractionConfig()
_EXPRESSION_PATTERNS = get_extraction_regexes([_EXPRESSION])[0][0]  # what the plain path searches for
_DELIMITED = re.compile(r"(?<!\\)\$|\\\(|\\\[|\\boxed|\\fbox")  # math delimiters, not an escaped \$
# A bare number, possibly with thousands separators; "-2,1" is a list of two answers, not a decimal comma.
_PLAIN_NUMBER = re.compile(r"\s*-?(?:(?:\d{1,3}(?:[ ,]\d{3})+|\d+)(?:\.\d+)?|\.\d+)\s*%?\s*")


def grade_output(model_text: str, gold: str, *, seconds: float = DEFAULT_SECONDS) -> bool:
    """Whether the final answer in ``model_text`` is ``gold``, by Math-Verify's rules.

    Raises :class:`DeadlineExceeded` when grading does not finish within ``seconds``: an answer that
    could not be graded is neither right nor wrong, and the caller decides what to record.
    """
    if not isinstance(model_text, str) or not isinstance(gold, str):
        return False
    try:  # model output is graded in batch jobs: the batch pool, with the checks' CPU budget
        return checking.run(
            output_matches_gold, model_text, gold, pool_name=checking.BATCH, cpu_seconds=seconds
        )
    except DeadlineExceeded:
        raise
    except Exception:  # SymPy's own failures on unusual input: nothing was found equal
        return False


def warm_up_grading() -> None:
    """Start the checking processes and load Math-Verify in each, so the first grades do not pay for it.

    Loading happens on a process's first grade and would otherwise count against that grade's deadline.
    One grade per process, sent at once so that each process (all busy) takes one.
    """
    checking.warm(checking.BATCH)
    size = checking.pool(checking.BATCH).size

    def load(_: int) -> None:
        with contextlib.suppress(DeadlineExceeded):  # then the grades themselves will run out of time
            grade_output(r"\boxed{1}", "1", seconds=WARM_UP_SECONDS)

    with ThreadPoolExecutor(size) as threads:
        list(threads.map(load, range(size)))


def output_matches_gold(model_text: str, gold: str) -> bool:
    """The grading itself, in this process and with no time limit: call :func:`grade_output` instead.

    Reads the final answer of each side, then compares them with Math-Verify.
    """
    expected = _read(_as_gold_text(gold))
    answer = _read(model_text)
    if not expected or not answer:
        return False
    return bool(verify(expected, answer, timeout_seconds=None))


def _read(text: str) -> list:
    """The answer Math-Verify extracts from ``text``, its plain-expression path screened first."""
    targets = [_LATEX, _EXPRESSION] if _expressions_are_safe(text) else [_LATEX]
    return parse(text, targets, parsing_timeout=None)


def _expressions_are_safe(text: str) -> bool:
    """Whether every expression Math-Verify's plain path could ``eval`` in ``text`` is one we can parse."""
    for pattern, _priority in _EXPRESSION_PATTERNS:
        for match in pattern.finditer(text):
            if expression := match.groupdict().get("expr"):
                try:
                    parse_math(expression)
                except (MathSyntaxError, RecursionError, ValueError):  # refused, or too deep to read
                    return False
    return True


def _as_gold_text(gold: str) -> str:
    """A dataset's bare gold answer (``\\frac{14}{3}``, ``p - q``) as the math it is, for extraction.

    Gold answers come without ``$`` (MATH's ``answer`` field); a bare number is read as Math-Verify reads
    one, and anything else is read as LaTeX, as the evaluation tools do by boxing it.
    """
    if _DELIMITED.search(gold) or _PLAIN_NUMBER.fullmatch(gold):
        return gold
    return f"\\boxed{{{gold}}}"
