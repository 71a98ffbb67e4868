"""The model's reasoning trace: kept with each reply to a student, shown to the student's teachers and to
admins in the attempt's drill-down, and never to the student (not in the page, not in the API)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.contract import GenerationFailed, GenerationRequest, WorkerHeartbeat
from app.services import tutor_replies, web_queries
from app.services.errors import PermissionDenied
from app.services.tutor_model import TutorModel
from app.web.ui.chat import chat_text
from app.web.ui.views import attempt_markdown, worked_so_far

TRACE = "Secret plan: subtract 3, then the answer is x equals four"
REPLY = f"<think>{TRACE}</think>First subtract 3: $2x = 8$\n"


class ScriptedClient:
    """A ``app.contract.ModelClient`` that answers every request with the same text."""

    def __init__(self, text: str, *, fails: bool = False) -> None:
        self.reply, self.fails, self.cancelled = text, fails, []

    def submit(self, request: GenerationRequest) -> str:
        return request.request_id

    def text(self, request_id: str) -> Iterator[str]:
        for start in range(0, len(self.reply), 7):
            yield self.reply[start : start + 7]
        if self.fails:
            raise GenerationFailed("the worker went away")

    def generate(self, request: GenerationRequest) -> str:
        if self.fails:
            raise GenerationFailed("the worker went away")
        return self.reply

    def cancel(self, request_id: str) -> None:
        self.cancelled.append(request_id)

    def workers(self) -> list[WorkerHeartbeat]:
        return []


@pytest.fixture(scope="module")
def attempt(world) -> int:
    """An attempt of ada's (in tess's class), with one step, asked about and explained by the model."""
    ada = world.as_user("ada")
    session = world.client.post("/api/sessions", headers=ada, json={}).json()
    attempt_id = world.client.post(f"/api/sessions/{session['id']}/next", headers=ada).json()["attempt_id"]
    user_id = world.ids["ada"]
    problem, current = web_queries.attempt_problem(world.db, user_id=user_id, attempt_id=attempt_id)
    tutor = TutorModel(ScriptedClient(REPLY), for_learners=True)
    drafts = list(
        tutor_replies.ask_stream(
            world.db, tutor, user_id=user_id, attempt_id=attempt_id, problem=problem, current=current,
            question="What do I do first?",
        )
    )  # fmt: skip
    assert drafts[-1].reply.source == "model" and drafts[-1].reply.trace == TRACE
    assert all(TRACE not in chat_text(draft) for draft in drafts)  # the chat box never shows it
    reply = tutor_replies.explain_step(
        world.db, tutor, user_id=user_id, attempt_id=attempt_id, problem=problem, before=current,
        after="2x = 8",
    )  # fmt: skip
    assert TRACE not in reply.text and reply.trace == TRACE
    return attempt_id


def test_teachers_and_admins_read_the_reasoning_with_each_reply(world, attempt: int) -> None:
    for reader in ("tess", "root"):
        kept = tutor_replies.attempt_replies(world.db, viewer=world.ids[reader], attempt_id=attempt)
        assert [(r.purpose, r.status, r.trace) for r in kept] == [
            ("ask", "done", TRACE), ("explain", "done", TRACE)
        ]
        assert kept[0].question == "What do I do first?" and TRACE not in kept[0].shown
        response = world.client.get(f"/api/attempts/{attempt}/tutor-replies", headers=world.as_user(reader))
        assert response.status_code == 200 and [r["trace"] for r in response.json()] == [TRACE, TRACE]


def test_the_teachers_drill_down_shows_the_reasoning(world, attempt: int) -> None:
    tess = world.ids["tess"]
    detail = web_queries.attempt_detail(world.db, viewer=tess, attempt_id=attempt)
    shown = attempt_markdown(detail, tutor_replies.attempt_replies(world.db, viewer=tess, attempt_id=attempt))
    assert TRACE in shown and "What do I do first?" in shown and "The model&#x27;s reasoning" not in shown
    assert "The model's reasoning" in shown


def test_the_student_never_gets_the_reasoning(world, attempt: int) -> None:
    ada = world.ids["ada"]
    with pytest.raises(PermissionDenied):
        tutor_replies.attempt_replies(world.db, viewer=ada, attempt_id=attempt)
    headers = world.as_user("ada")
    assert world.client.get(f"/api/attempts/{attempt}/tutor-replies", headers=headers).status_code == 403
    mine = world.client.get(f"/api/attempts/{attempt}", headers=headers)
    assert mine.status_code == 200 and "Secret plan" not in mine.text
    page = worked_so_far(web_queries.attempt_detail(world.db, viewer=ada, attempt_id=attempt))
    assert "Secret plan" not in page


def test_another_classes_teacher_cannot_read_it(world, attempt: int) -> None:
    with pytest.raises(PermissionDenied):
        tutor_replies.attempt_replies(world.db, viewer=world.ids["tom"], attempt_id=attempt)
    response = world.client.get(f"/api/attempts/{attempt}/tutor-replies", headers=world.as_user("tom"))
    assert response.status_code == 403


def test_a_failed_reply_is_kept_with_its_reasoning_and_a_stopped_one_is_not(world, attempt: int) -> None:
    user_id, tess = world.ids["ada"], world.ids["tess"]
    problem, current = web_queries.attempt_problem(world.db, user_id=user_id, attempt_id=attempt)
    ask = dict(user_id=user_id, attempt_id=attempt, problem=problem, current=current, question="And then?")
    before = len(tutor_replies.attempt_replies(world.db, viewer=tess, attempt_id=attempt))

    client = ScriptedClient(REPLY)
    stopped = tutor_replies.ask_stream(world.db, TutorModel(client), **ask)
    next(stopped)
    stopped.close()  # the learner pressed Stop
    assert len(client.cancelled) == 1  # the worker is told to stop generating
    list(tutor_replies.ask_stream(world.db, TutorModel(None), **ask))  # no model: nothing of the model's
    assert len(tutor_replies.attempt_replies(world.db, viewer=tess, attempt_id=attempt)) == before

    failing = TutorModel(ScriptedClient(f"<think>{TRACE}</think>First", fails=True), for_learners=True)
    *_, last = tutor_replies.ask_stream(world.db, failing, **ask)
    assert last.reply.source == "solver" and TRACE not in chat_text(last)
    kept = tutor_replies.attempt_replies(world.db, viewer=tess, attempt_id=attempt)[-1]
    assert (kept.status, kept.verification, kept.trace) == ("done", "solver", TRACE)  # it had begun answering
