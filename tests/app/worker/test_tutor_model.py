"""Model-backed tutoring: model math is verified before it is shown, and the solver always answers."""

from __future__ import annotations

import pytest

from app.contract import WorkerHeartbeat
from app.services.reply_gate import CHECKING_NOTE, THINKING_NOTE
from app.services.tutor_model import (
    FLAGGED,
    HIDDEN_NOTE,
    PROSE,
    UNCHECKED,
    VERIFIED,
    TutorModel,
    check_reply,
    render,
)
from app.worker.client import WorkerClient
from app.worker.flags import MemoryFlags, cancel_flag
from app.worker.streams import MemoryStreams, StreamEvent
from tutor.answers import extract_answer
from tutor.hints import hint_for
from tutor.problems import generate_problem
from tutor.verify import check_answer

REPLY = """<think>Maybe 2x = 9? No.</think>First subtract 3 from both sides: $2x = 8$
That works because 11 - 3 = 8
Then divide by 2, so $x = 5$
\\(x = 4\\)
Well done!"""


def test_each_line_of_model_math_is_checked_against_the_problem_state():
    lines = check_reply(REPLY, "2x + 3 = 11")
    assert [line.status for line in lines] == [VERIFIED, PROSE, FLAGGED, VERIFIED, PROSE]
    assert all("think" not in line.text and "2x = 9" not in line.text for line in lines)


def test_bare_arithmetic_and_relations_are_checked_and_words_are_not_math():
    lines = check_reply("11 - 3 = 8\n3 + 4 = 9\nThen 3 + 4 = 9\n2x = 8", "2x + 3 = 11")
    assert [line.status for line in lines] == [VERIFIED, FLAGGED, PROSE, VERIFIED]


def test_rendering_marks_verified_math_and_hides_what_failed():
    shown = render(check_reply(REPLY, "2x + 3 = 11"))
    assert "First subtract 3 from both sides: $2x = 8$ ✓" in shown
    assert "x = 5" not in shown and HIDDEN_NOTE in shown


def test_math_the_checker_cannot_decide_is_shown_unmarked():
    (line,) = check_reply("$x^2 + 1 = 0$", "2x + 3 = 11")
    assert line.status in (FLAGGED, UNCHECKED)  # a different equation: never marked as verified


@pytest.fixture(scope="module")
def problem():
    return generate_problem("linear_two_step", 2, 7)


def test_without_a_model_every_feature_answers_from_the_solver_and_says_how_to_enable_it(problem):
    tutor = TutorModel(None)
    replies = [
        tutor.hint(problem, problem.start),
        tutor.explain_step(problem, problem.start, "x = 100"),
        tutor.ask(problem, problem.start, "Why do I subtract first?"),
        tutor.worked_solution(problem),
    ]
    assert all(r.source == "solver" and "FLASHTUTOR_MODEL_PATH" in r.notice for r in replies)
    assert replies[0].text == hint_for(problem, problem.start, 2).text
    final = replies[3].text.splitlines()[-1]
    assert check_answer(extract_answer(final), problem.answer).correct


def test_when_the_model_fails_the_solver_answers_and_the_notice_says_why(embedded, problem):
    # The tiny fixture model cannot read chat prompts (its vocabulary is 512 tokens), a real failure.
    reply = TutorModel(embedded, max_tokens=16).hint(problem, problem.start)
    assert reply.source == "solver" and reply.text == hint_for(problem, problem.start, 2).text
    assert "could not answer" in reply.notice and "vocabulary" in reply.notice


def scripted_client(chunks: list[str], *, finish: bool = True) -> WorkerClient:
    """The real client and in-memory transport, with a worker that writes a fixed reply.

    The tiny fixture model cannot read chat prompts, so this is how the token-by-token path is exercised.
    """
    streams, flags = MemoryStreams(), MemoryFlags()
    flags.put("worker:scripted", WorkerHeartbeat("scripted", 0, 0, 1, 0.0, 0, 0).to_json(), 60)

    def dispatch(task: str, kwargs: dict, queue: str) -> None:
        request_id = kwargs["request"]["request_id"]
        for chunk in chunks:
            streams.append(request_id, StreamEvent(text=chunk))
        if finish:
            streams.append(request_id, StreamEvent(status="done"))

    return WorkerClient(dispatch, streams, flags, read_timeout_s=5)


def test_a_streamed_answer_hides_the_reasoning_and_releases_math_only_once_checked(problem):
    chunks = ["<think>Subtract", " first: x = 4.</think>", "Good. First: $2x", " = 8$", "\nso $x = 5$"]
    drafts = list(TutorModel(scripted_client(chunks)).ask_stream(problem, "2x + 3 = 11", "What now?"))
    shown = [d.text for d in drafts[:-1]]
    assert [text for text in shown if text] == [  # (the moment the trace closes shows nothing yet)
        THINKING_NOTE,
        CHECKING_NOTE,  # "Good. First: $2x" is a line with math still being written
        CHECKING_NOTE,
        f"Good. First: $2x = 8$ ✓\n{CHECKING_NOTE}",
    ]
    assert not any("x = 4" in text or "Subtract" in text for text in shown)  # the trace never shows
    assert drafts[1].trace == "Subtract first: x = 4."
    assert all(d.request_id and d.reply is None for d in drafts[:-1])
    final = drafts[-1]
    assert final.request_id is None and final.reply.source == "model"
    assert final.reply.text == f"Good. First: $2x = 8$ ✓\n{HIDDEN_NOTE}"  # same checks as ask()
    assert final.text == final.reply.text and final.trace == "Subtract first: x = 4."


def test_prose_streams_as_it_is_written_and_a_reply_without_reasoning_is_all_reply(problem):
    chunks = ["Think about", " what undoes +3.\n", "Then $2x = 8$\n"]
    drafts = list(TutorModel(scripted_client(chunks)).ask_stream(problem, "2x + 3 = 11", "Help?"))
    assert [d.text for d in drafts[:-1]] == [
        "Think about",
        "Think about what undoes +3.",
        "Think about what undoes +3.\nThen $2x = 8$ ✓",
    ]


def test_stopping_a_streamed_answer_cancels_the_generation(problem):
    client = scripted_client(["Let me ", "think"], finish=False)
    stream = TutorModel(client).ask_stream(problem, problem.start, "Why?")
    first = next(stream)
    assert first.text == "Let me " and client.flags.get(cancel_flag(first.request_id)) is None
    stream.close()  # what the Stop button does to the running callback
    assert client.flags.get(cancel_flag(first.request_id)) == "1"


def test_a_streamed_answer_without_a_model_is_the_solvers_with_the_reason(embedded, problem):
    question = "Why do I subtract first?"
    (offline,) = TutorModel(None).ask_stream(problem, problem.start, question)
    assert offline.reply == TutorModel(None).ask(problem, problem.start, question)
    assert offline.reply.notice.startswith("This answer is the solver's, because the model-backed tutor")
    assert "FLASHTUTOR_MODEL_PATH" in offline.reply.notice
    *_, failed = TutorModel(embedded, max_tokens=16).ask_stream(problem, problem.start, question)
    assert failed.reply.source == "solver" and failed.request_id is None
    assert "could not answer" in failed.reply.notice and "vocabulary" in failed.reply.notice


def test_learners_are_told_in_their_words_and_admins_get_the_details(problem):
    from app.services.tutor_model import LEARNER_NO_MODEL

    learner = TutorModel(None, for_learners=True).hint(problem, problem.start)
    assert learner.notice == LEARNER_NO_MODEL and "FLASHTUTOR" not in learner.notice
    assert "FLASHTUTOR_MODEL_PATH" in TutorModel(None).hint(problem, problem.start).notice
