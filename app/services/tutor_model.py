"""Model-backed tutoring: explain a step, a hint in words, "ask the tutor" chat, a worked solution.

The model explains; the verifier decides. Every line of math in a reply is checked with
``tutor.verify`` against the problem state before anyone sees it (in a checking process, like all the
SymPy work here): verified lines are marked, lines that fail are hidden with a note, and when the
model's hint or final answer does not check out the symbolic solver's is shown instead. Without a
checkpoint (or when the model is unavailable) every feature answers from the solver and says how to
enable the model.

For a problem the step-wise solver cannot work there is no solver hint to fall back on, so the model's
hint (:meth:`TutorModel.hint_beyond_solver`) is shown only when none of its math fails and it does not
give the final answer away; otherwise the learner is told why there is no hint.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from redis import RedisError

from app.contract import (
    NO_MODEL,
    SYSTEM_PROMPT,
    GenerationRequest,
    ModelClient,
    ModelUnavailable,
    StreamTimeout,
    WorkerError,
)
from app.services.checks import checked
from app.services.errors import TryAgain
from app.services.reply_gate import ReplyGate
from tutor.answers import extract_answer
from tutor.hints import gives_away_answer, hint_for
from tutor.outcome import reply_line
from tutor.problems import Problem
from tutor.reasoning import split_reasoning
from tutor.solver import StateError, next_step, solve
from tutor.verify import check_answer, check_step
from tutor.workability import NO_STEP_HINTS

log = logging.getLogger(__name__)
T = TypeVar("T")
TUTOR_STYLE = (
    "You are tutoring a learner. Be brief and encouraging. Put each step of math on its own line, "
    "written in $...$."
)
VERIFIED, FLAGGED, UNCHECKED, PROSE = "verified", "flagged", "unchecked", "prose"
HIDDEN_NOTE = "⚠ (a step here did not check out, so it is hidden)"
HINT_FAILED = "The AI tutor couldn't give a hint just now; please ask again in a minute."
HINT_NOT_CHECKED = ("The AI tutor's hint had math that did not check out, so it is not shown. Ask again for "
                    "another hint, or carry on: each of your steps is still checked.")
HINT_GAVE_AWAY = ("The AI tutor's hint gave the answer away, so it is not shown. Ask again for another "
                  "hint, or try the next step yourself.")
NO_SOLUTION = "There is no worked solution for this problem: the step-wise solver cannot work it."
_DELIMITED = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]")
# A bare relation such as "2x = 8": math characters only, and no words (they would parse as products).
_RELATION = re.compile(r"^(?!.*[A-Za-z]{2})[\s\w.+\-*/^()=<>≤≥√]*[=<>≤≥][\s\w.+\-*/^()=<>≤≥√]*$")


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
    trace: str = field(default="", repr=False)  # the model's reasoning: teachers and admins only, never shown

    @property
    def flagged(self) -> int:
        return sum(line.status == FLAGGED for line in self.lines)


@dataclass(frozen=True)
class ReplyDraft:
    """One moment of a streamed reply; the last draft carries the checked reply."""

    text: str  # what the learner may see now: checked lines only, never the reasoning trace
    request_id: str | None  # the generation to cancel while it runs
    reply: TutorReply | None = None  # the finished reply: verified lines marked, wrong ones hidden
    trace: str = ""  # the model's reasoning so far, kept for teachers and admins


def check_reply(text: str, start: str) -> tuple[CheckedLine, ...]:
    """Check each line of a model reply; math lines are chained from ``start`` (the problem state)."""
    return gate(start).finish(text).lines


def gate(start: str) -> ReplyGate:
    """A gate that releases a reply's lines once checked, chained from ``start``."""
    return ReplyGate(start, _checked_line, render)


def _checked_line(line: str, state: str) -> tuple[CheckedLine, str | None]:
    status, new_state = _check_line(line, state)
    return CheckedLine(line, status), new_state


def render(lines: tuple[CheckedLine, ...]) -> str:
    shown = {VERIFIED: lambda t: f"{t} ✓", FLAGGED: lambda t: HIDDEN_NOTE}
    return "\n".join(shown.get(line.status, lambda t: t)(line.text) for line in lines).strip()


class TutorModel:
    """The model-backed extras, through a worker client (None: no model configured)."""

    def __init__(
        self,
        client: ModelClient | None = None,
        *,
        max_tokens: int = 2048,
        temperature: float = 0.6,
        top_p: float = 0.95,
        time_limit_s: float = 120.0,
        thinking_s: float | None = 6.0,
        for_learners: bool = False,
    ) -> None:
        self.client = client
        self.max_tokens, self.temperature, self.top_p = max_tokens, temperature, top_p
        self.time_limit_s = time_limit_s
        self.thinking_s = thinking_s  # a learner is waiting: the worker closes longer reasoning
        self.for_learners = for_learners  # say why the model did not answer in a student's words

    def explain_step(self, problem: Problem, before: str, after: str) -> TutorReply:
        """Why the step from ``before`` to ``after`` is (or is not) right, in words. ``before`` is empty for
        the first line of a problem with no start."""
        if before.strip():
            verdict = checked(check_step, before, after)
            message = verdict.message
            went = f"The learner went from ${before}$ to ${after}$. The checker says: {verdict.status}."
        else:
            message = "There is no earlier line to check this first line against."
            went = f"The learner's first line is ${after}$."
        ask = f"Problem: {problem.prompt}\n{went} Explain this step in two or three sentences."
        reply = self._ask(ask, start=before or after)
        if isinstance(reply, TutorReply) and not reply.flagged:
            return reply
        step = _solver_or_none(next_step, problem, before)
        usual = f" A good next move from ${before}$: {step.rule}. {step.explanation}" if step else ""
        return _solver_reply(f"{message}{usual}", _why_not(reply, "explanation"), _trace(reply))

    def hint(self, problem: Problem, current: str) -> TutorReply:
        """A next-step hint in words; the solver's hint when the model's does not verify."""
        ask = (
            f"Problem: {problem.prompt}\nThe learner's current line is ${current}$. Give one short hint "
            "for the next step without doing it for them."
        )
        reply = self._ask(ask, start=current)
        if isinstance(reply, TutorReply) and not reply.flagged:
            return reply
        solver_hint = _solver_or_none(hint_for, problem, current, 2)
        text = solver_hint.text if solver_hint else NO_STEP_HINTS
        return _solver_reply(text, _why_not(reply, "hint"), _trace(reply))

    @property
    def available(self) -> bool:
        """Whether a model is configured and a worker serves it (it may still be busy)."""
        if self.client is None:
            return False
        try:
            return bool(self.client.workers())
        except RedisError:  # the broker is away: no model now, and the symbolic tutor still works
            return False

    def hint_beyond_solver(self, problem: Problem, current: str) -> TutorReply:
        """A hint in words for a problem the step-wise solver cannot work (``current`` is empty before a
        start-less problem's first line). It is the model's (``source`` "model") only when no line of its
        math fails the checks and it does not give the answer away; otherwise ``text`` says, in the
        learner's words, why there is no hint, and ``notice`` gives the details."""
        if not self.available:
            why = _could_not_answer(ModelUnavailable(NO_MODEL), self.for_learners)
            return _solver_reply(NO_STEP_HINTS, why)
        where = f"The learner's current line is ${current}$." if current.strip() else (
            "The learner has not written any working yet.")
        ask = (
            f"Problem: {problem.prompt}\n{where} Give one short hint for the next step without doing it "
            "for them, and never give the final answer."
        )
        reply = self._ask(ask, start=current)
        if isinstance(reply, str):
            return _solver_reply(HINT_FAILED, reply)
        if reply.flagged:
            notice = "A line of math in the model's hint did not check out."
            return _solver_reply(HINT_NOT_CHECKED, notice, _trace(reply))
        maths = [math for line in reply.lines if line.status != PROSE for math in _maths_in(line.text)]
        words = "\n".join(line.text for line in reply.lines)
        boxed = extract_answer(words) if "\\boxed" in words else None
        if checked(gives_away_answer, problem, [*maths, *filter(None, [boxed])], words):
            notice = "The model's hint gave the final answer away."
            return _solver_reply(HINT_GAVE_AWAY, notice, _trace(reply))
        return reply

    def ask(
        self, problem: Problem, current: str, question: str, history: tuple[tuple[str, str], ...] = ()
    ) -> TutorReply:
        """Chat about the current problem ("ask the tutor"); wrong math in the answer is hidden."""
        reply = self._ask(_chat_prompt(problem, current, question, history), start=current)
        if isinstance(reply, TutorReply):
            return reply
        return _chat_fallback(problem, current, reply)

    def ask_stream(
        self, problem: Problem, current: str, question: str, history: tuple[tuple[str, str], ...] = ()
    ) -> Iterator[ReplyDraft]:
        """``ask`` token by token; the last draft carries the checked reply. Closing it early cancels."""
        if self.client is None:
            yield ReplyDraft("", None, self.ask(problem, current, question, history))
            return
        request = self._request(_chat_prompt(problem, current, question, history))
        text, lines = "", gate(current)
        try:
            self.client.submit(request)
            for chunk in self.client.text(request.request_id):
                text += chunk
                view = lines.push(text)
                yield ReplyDraft(view.shown, request.request_id, trace=view.trace)
        except GeneratorExit:  # stopped: free the worker's slot instead of generating for no one
            self.client.cancel(request.request_id)
            raise
        except (WorkerError, StreamTimeout) as error:
            trace = split_reasoning(text)[0]
            fallback = replace(
                _chat_fallback(problem, current, _could_not_answer(error, self.for_learners)), trace=trace
            )
            yield ReplyDraft(fallback.text, None, fallback, trace=trace)
            return
        final = lines.finish(text)
        reply = TutorReply(final.shown, final.lines, "model", trace=final.trace)
        yield ReplyDraft(final.shown, None, reply, trace=final.trace)

    def worked_solution(self, problem: Problem) -> TutorReply:
        """A full worked solution; the solver's when the model's final answer is not right."""
        ask = (
            f"Solve step by step, starting from ${problem.start}$: {problem.prompt}\n"
            "Put the final answer in \\boxed{}."
        )
        reply = self._ask(ask, start=problem.start, max_tokens=max(self.max_tokens, 4096))
        if isinstance(reply, TutorReply):
            answer = extract_answer("\n".join(line.text for line in reply.lines))
            if answer is not None and checked(check_answer, answer, problem.answer).correct:
                return reply
        steps = _solver_or_none(solve, problem)
        if steps is None:
            return _solver_reply(NO_SOLUTION, _why_not(reply, "solution"))
        text = "\n".join(f"${s.before}$ → ${s.after}$ ({s.rule})" for s in steps)
        return _solver_reply(text, _why_not(reply, "solution"), _trace(reply))

    def _ask(self, content: str, *, start: str, max_tokens: int | None = None) -> TutorReply | str:
        """The model's reply with its math checked, or why the model cannot answer now."""
        if self.client is None:
            return _could_not_answer(ModelUnavailable(NO_MODEL), self.for_learners)
        try:
            text = self.client.generate(self._request(content, max_tokens))
        except (WorkerError, StreamTimeout) as error:
            return _could_not_answer(error, self.for_learners)
        final = gate(start).finish(text)
        return TutorReply(render(final.lines), final.lines, "model", trace=final.trace)

    def _request(self, content: str, max_tokens: int | None = None) -> GenerationRequest:
        return GenerationRequest(
            messages=[
                {"role": "system", "content": f"{SYSTEM_PROMPT} {TUTOR_STYLE}"},
                {"role": "user", "content": content},
            ],
            max_tokens=max_tokens or self.max_tokens,
            temperature=self.temperature,
            top_p=self.top_p,
            time_limit_s=self.time_limit_s,
            thinking_s=self.thinking_s,
        )


def _chat_prompt(problem: Problem, current: str, question: str, history: tuple[tuple[str, str], ...]) -> str:
    turns = "".join(f"Learner: {q}\nTutor: {a}\n" for q, a in history)
    where = f"The learner is at ${current}$." if current.strip() else "The learner has not started yet."
    return f"Problem: {problem.prompt}\n{where}\n{turns}Learner: {question}"


def _chat_fallback(problem: Problem, current: str, notice: str) -> TutorReply:
    hint = _solver_or_none(hint_for, problem, current, 1)
    return _solver_reply(f"Meanwhile, a hint: {hint.text}" if hint else NO_STEP_HINTS, notice)


def _solver_or_none(function: Callable[..., T], problem: Problem, *args: Any) -> T | None:
    """The solver's answer, or None for a problem (or a line) it cannot work: there it has nothing to say.
    With no start there is nothing for it to work: from the learner's line it would work that line, not
    the problem."""
    if not problem.start.strip():
        return None
    try:
        return checked(function, problem, *args)
    except StateError:
        return None


LEARNER_NO_MODEL = (
    "The AI tutor isn't switched on, so this answer comes from the step checker. Ask your teacher."
)
LEARNER_MODEL_FAILED = "The AI tutor couldn't answer just now, so this answer comes from the step checker."


def _could_not_answer(error: Exception, for_learners: bool = False) -> str:
    """Why the solver answered: in a student's words for learners, with the details for admins."""
    if isinstance(error, ModelUnavailable):  # not a failure: nothing to apologise for, just how to enable it
        return LEARNER_NO_MODEL if for_learners else f"This answer is the solver's, because {error}."
    if for_learners:
        log.warning("the model could not answer a learner: %s", error)
        return LEARNER_MODEL_FAILED
    return f"The model could not answer ({error}); this is the solver's answer."


def _why_not(reply: TutorReply | str, what: str) -> str:
    if isinstance(reply, str):
        return reply
    return f"The model's {what} did not check out, so this one comes from the solver."


def _solver_reply(text: str, notice: str, trace: str = "") -> TutorReply:
    """The solver's answer; ``trace`` keeps the reasoning of a model reply it replaced (for teachers)."""
    return TutorReply(text, (CheckedLine(text, PROSE),), "solver", notice, trace)


def _trace(reply: TutorReply | str) -> str:
    return reply.trace if isinstance(reply, TutorReply) else ""


def _math_of(line: str) -> str | None:
    """The math a line states: its last $...$, \\(...\\) or \\[...\\] segment, or a bare relation."""
    maths = _maths_in(line)
    return maths[-1] if maths else None


def _maths_in(line: str) -> list[str]:
    """Every piece of math in a line: each delimited segment, else the line when it is a bare relation."""
    segments = _DELIMITED.findall(line)
    if segments:
        return [next(part for part in segment if part).strip() for segment in segments]
    return [line.strip()] if _RELATION.search(line) else []


def _check_line(line: str, state: str) -> tuple[str, str | None]:
    """The line's status, and its math when that math is a verified new state of the problem."""
    math = _math_of(line)
    if math is None:
        return PROSE, None
    try:
        status, advances = checked(reply_line, state, math)
    except TryAgain:  # could not finish in the budget: shown, but not marked as checked
        return UNCHECKED, None
    return status, (math if advances else None)
