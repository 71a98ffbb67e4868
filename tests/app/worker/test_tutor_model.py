"""Model-backed tutoring: model math is verified before it is shown, and the solver always answers."""

from __future__ import annotations

import pytest

from app.services.reply_gate import CHECKING_NOTE, THINKING_NOTE
from app.services.tutor_model import (
    FLAGGED,
    HIDDEN_NOTE,
    HINT_FAILED,
    HINT_GAVE_AWAY,
    HINT_NOT_CHECKED,
    LEARNER_MODEL_FAILED,
    NO_SOLUTION,
    PROSE,
    UNCHECKED,
    VERIFIED,
    TutorModel,
    check_reply,
    render,
)
from app.worker.flags import cancel_flag
from tests.app.scripted_model import scripted_client
from tutor.answers import extract_answer
from tutor.hints import hint_for
from tutor.problems import Problem, generate_problem
from tutor.verify import check_answer
from tutor.workability import NO_STEP_HINTS

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


# A teacher's problem the step-wise solver cannot work, and a word problem with no start at all.
CUBIC = Problem("linear_two_step", 3, 0, "solve", "Solve for x.", "x^3 + x = 2", "x^3 + x = 2", "x = 1")
EGGS = Problem("order_of_operations", 1, 0, "evaluate",
               "Janet's ducks lay 16 eggs a day. She eats 3 and bakes with 4. She sells the rest for $2 "
               "each. How many dollars does she make a day?", "", "", "18")


@pytest.mark.parametrize(("problem", "current", "reply", "statuses"), [
    (CUBIC, "x^3 + x = 2", "Try small whole numbers. Moving 2 over gives $x^3 + x - 2 = 0$", [VERIFIED]),
    (EGGS, "", "First find how many eggs are left: $16 - 3 - 4 = 9$\nThen think about the price of each.",
     [VERIFIED, PROSE]),
])  # fmt: skip
def test_a_hint_beyond_the_solver_is_the_models_with_its_math_verified(problem, current, reply, statuses):
    # The reasoning trace may hold the answer: it is never shown, so it gives nothing away.
    hint = TutorModel(scripted_client([f"<think>It is 18 or x = 1.</think>{reply}"])).hint_beyond_solver(
        problem, current)
    assert hint.source == "model" and hint.notice is None
    assert [line.status for line in hint.lines] == statuses
    assert hint.text.splitlines()[0].endswith("$ ✓") and "It is 18" not in hint.text


@pytest.mark.parametrize(("problem", "current", "reply"), [
    (CUBIC, "x^3 + x = 2", "Subtract 2: $x^3 + x = 0$"),  # a wrong step
    (EGGS, "", "She has $16 - 3 - 4 = 8$ eggs left to sell."),  # wrong arithmetic, with no start to chain
])
def test_a_hint_whose_math_fails_is_not_shown(problem, current, reply):
    hint = TutorModel(scripted_client([reply]), for_learners=True).hint_beyond_solver(problem, current)
    assert hint.source == "solver" and hint.text == HINT_NOT_CHECKED
    assert "✓" not in hint.text and "16 - 3 - 4" not in hint.text


@pytest.mark.parametrize(("problem", "current", "reply"), [
    (CUBIC, "x^3 + x = 2", "Check $x = 1$ in the equation."),  # the answer itself
    (EGGS, "16 - 3 - 4 = 9", "Multiply: $9 \\cdot 2 = 18$"),  # one side of a true line is the answer
    (EGGS, "16 - 3 - 4 = 9", "So she makes 18 dollars."),  # in words: a number the problem never mentions
    (EGGS, "", "The answer is $\\boxed{18}$."),
])  # fmt: skip
def test_a_hint_that_gives_the_answer_away_is_refused(problem, current, reply):
    hint = TutorModel(scripted_client([reply]), for_learners=True).hint_beyond_solver(problem, current)
    assert hint.source == "solver" and hint.text == HINT_GAVE_AWAY and "18" not in hint.text


def test_without_a_model_a_problem_beyond_the_solver_says_there_are_no_step_hints():
    for tutor in (TutorModel(None), TutorModel(None, for_learners=True)):
        hint = tutor.hint_beyond_solver(EGGS, "")
        assert hint.source == "solver" and hint.text == NO_STEP_HINTS
    # The other features answer in words too, instead of failing where the solver has no move.
    tutor = TutorModel(None)
    for problem, current in ((CUBIC, CUBIC.start), (EGGS, ""), (EGGS, "16 - 3 - 4 = 9")):
        assert tutor.hint(problem, current).text == NO_STEP_HINTS
        assert tutor.ask(problem, current, "What now?").text == NO_STEP_HINTS
        assert tutor.worked_solution(problem).text == NO_SOLUTION
    assert tutor.explain_step(EGGS, "", "16 - 3 - 4 = 9").source == "solver"
    assert "lost the solution" in tutor.explain_step(CUBIC, CUBIC.start, "x = 2").text


def test_when_the_model_fails_a_hint_beyond_the_solver_says_so(embedded):
    hint = TutorModel(embedded, max_tokens=16, for_learners=True).hint_beyond_solver(CUBIC, CUBIC.start)
    assert hint.source == "solver" and hint.text == HINT_FAILED and hint.notice == LEARNER_MODEL_FAILED
