"""Model-backed tutoring: explain a step, a hint in words, "ask the tutor" chat, a worked solution.

The model explains; the verifier decides. Every line of math in a reply is checked with
``tutor.verify`` against the problem state before anyone sees it: verified lines are marked, lines
that fail are hidden with a note, and when the model's hint or final answer does not check out the
symbolic solver's is shown instead. Without a checkpoint (or when the model is unavailable) every
feature answers from the solver and says how to enable the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

from app.worker.requests import SYSTEM_PROMPT, GenerationRequest, WorkerError
from app.worker.runtime import NO_MODEL
from app.worker.streams import StreamTimeout
from tutor.answers import extract_answer
from tutor.hints import hint_for
from tutor.parse import MathSyntaxError, parse_math
from tutor.problems import Problem
from tutor.solver import next_step, solve
from tutor.verify import check_answer, check_step

TUTOR_STYLE = (
    "You are tutoring a learner. Be brief and encouraging. Put each step of math on its own line, "
    "written in $...$."
)
VERIFIED, FLAGGED, UNCHECKED, PROSE = "verified", "flagged", "unchecked", "prose"
HIDDEN_NOTE = "⚠ (a step here did not check out, so it is hidden)"
_THINKING = re.compile(r"<think>.*?(</think>|$)", re.DOTALL)
_MATHY = re.compile(r"\$|\\\(|\\\[|[=<>≤≥]")


@dataclass(frozen=True)
class CheckedLine:
    text: str
    status: str  # verified, flagged (hidden), unchecked (math the checker could not decide) or prose


@dataclass(frozen=True)
class TutorReply:
    text: str  # what to show: verified lines marked ✓, flagged lines replaced by a note
    lines: tuple[CheckedLine, ...]
    source: str  # "model" or "solver"
    notice: str | None = None  # why the solver answered, or what was corrected

    @property
    def flagged(self) -> int:
        return sum(line.status == FLAGGED for line in self.lines)


def check_reply(text: str, start: str) -> tuple[CheckedLine, ...]:
    """Check each line of a model reply; math lines are chained from ``start`` (the problem state)."""
    state, checked = start, []
    for line in _visible(text).splitlines():
        status = _check_line(line, state)
        if status == VERIFIED and _is_state(line):
            state = line
        checked.append(CheckedLine(line, status))
    return tuple(checked)


def render(lines: tuple[CheckedLine, ...]) -> str:
    shown = {VERIFIED: lambda t: f"{t} ✓", FLAGGED: lambda t: HIDDEN_NOTE}
    return "\n".join(shown.get(line.status, lambda t: t)(line.text) for line in lines).strip()


class TutorModel:
    """The model-backed extras, through a worker client (None: no model configured)."""

    def __init__(
        self,
        client=None,
        *,
        max_tokens: int = 2048,
        temperature: float = 0.6,
        top_p: float = 0.95,
        time_limit_s: float = 120.0,
    ) -> None:
        self.client = client
        self.max_tokens, self.temperature, self.top_p = max_tokens, temperature, top_p
        self.time_limit_s = time_limit_s

    def explain_step(self, problem: Problem, before: str, after: str) -> TutorReply:
        """Why the step from ``before`` to ``after`` is (or is not) right, in words."""
        verdict = check_step(before, after)
        ask = (
            f"Problem: {problem.prompt}\nThe learner went from ${before}$ to ${after}$. "
            f"The checker says: {verdict.status}. Explain this step in two or three sentences."
        )
        reply = self._ask(ask, start=before)
        if reply is not None and not reply.flagged:
            return reply
        step = next_step(problem, before)
        usual = f" A good next move from ${before}$: {step.rule}. {step.explanation}" if step else ""
        notice = "The model's explanation did not check out, so this is the checker's." if reply else NO_MODEL
        return _solver_reply(f"{verdict.message}{usual}", notice)

    def hint(self, problem: Problem, current: str) -> TutorReply:
        """A next-step hint in words; the solver's hint when the model's does not verify."""
        ask = (
            f"Problem: {problem.prompt}\nThe learner's current line is ${current}$. Give one short hint "
            "for the next step without doing it for them."
        )
        reply = self._ask(ask, start=current)
        if reply is not None and not reply.flagged:
            return reply
        notice = "The model's hint did not check out, so this is the solver's." if reply else NO_MODEL
        return _solver_reply(hint_for(problem, current, 2).text, notice)

    def ask(
        self, problem: Problem, current: str, question: str, history: tuple[tuple[str, str], ...] = ()
    ) -> TutorReply:
        """Chat about the current problem ("ask the tutor"); wrong math in the answer is hidden."""
        turns = "".join(f"Learner: {q}\nTutor: {a}\n" for q, a in history)
        ask = f"Problem: {problem.prompt}\nThe learner is at ${current}$.\n{turns}Learner: {question}"
        reply = self._ask(ask, start=current)
        if reply is not None:
            return reply
        return _solver_reply(f"Meanwhile, a hint: {hint_for(problem, current, 1).text}", NO_MODEL)

    def worked_solution(self, problem: Problem) -> TutorReply:
        """A full worked solution; the solver's when the model's final answer is not right."""
        ask = (
            f"Solve step by step, starting from ${problem.start}$: {problem.prompt}\n"
            "Put the final answer in \\boxed{}."
        )
        reply = self._ask(ask, start=problem.start, max_tokens=max(self.max_tokens, 4096))
        if reply is not None:
            answer = extract_answer(reply.text)
            if answer is not None and check_answer(answer, problem.answer).correct:
                return reply
        steps = solve(problem)
        text = "\n".join(f"${s.before}$ → ${s.after}$ ({s.rule})" for s in steps)
        notice = "The model's solution did not reach the right answer; this is the solver's."
        if reply is None:
            notice = NO_MODEL
        return _solver_reply(text, notice)

    def _ask(self, content: str, *, start: str, max_tokens: int | None = None) -> TutorReply | None:
        """The model's reply with its math checked, or None when the model cannot answer now."""
        if self.client is None:
            return None
        request = GenerationRequest(
            messages=[
                {"role": "system", "content": f"{SYSTEM_PROMPT} {TUTOR_STYLE}"},
                {"role": "user", "content": content},
            ],
            max_tokens=max_tokens or self.max_tokens,
            temperature=self.temperature,
            top_p=self.top_p,
            time_limit_s=self.time_limit_s,
        )
        try:
            text = self.client.generate(request)
        except (WorkerError, StreamTimeout):
            return None
        lines = check_reply(text, start)
        return TutorReply(render(lines), lines, "model")


def _solver_reply(text: str, notice: str) -> TutorReply:
    return TutorReply(text, (CheckedLine(text, PROSE),), "solver", notice)


def _visible(text: str) -> str:
    """The reply without its reasoning trace (Phi-4-mini-flash-reasoning thinks in <think> first)."""
    return _THINKING.sub("", text).strip()


def _check_line(line: str, state: str) -> str:
    if not _MATHY.search(line):
        return PROSE
    try:
        parsed = parse_math(line)
    except (MathSyntaxError, ValueError):
        return PROSE
    if isinstance(parsed, sympy.core.relational.Relational) and not parsed.free_symbols:
        return VERIFIED if parsed == sympy.true or sympy.simplify(parsed) == sympy.true else FLAGGED
    status = check_step(state, line).status
    return {"equivalent": VERIFIED, "implied": VERIFIED, "invalid": FLAGGED}.get(status, UNCHECKED)


def _is_state(line: str) -> bool:
    """Whether a verified line is a new state of the problem (not a side calculation like 3 + 5 = 8)."""
    try:
        return bool(parse_math(line).free_symbols)
    except (MathSyntaxError, ValueError):
        return False
