"""The student page: practise problems step by step, take hints, ask the tutor, watch progress.

Callbacks keep only ids in the page (the session and the attempt) and the tutor chat on the server;
everything shown is read back from the services, which check that the attempt belongs to the
signed-in learner. No event takes a file, and the page takes no uploads.
"""

from __future__ import annotations

import time
import uuid
from html import escape
from zoneinfo import ZoneInfo

import gradio as gr

from app.db import Database
from app.services import help, tutor_replies, tutoring, web_queries
from app.services.assignments import AssignmentInfo, student_assignments
from app.services.curriculum import AssignmentComplete, next_problem
from app.services.progress import progress
from app.services.tutor_model import TutorModel
from app.services.users import UserInfo
from app.web.auth import RateLimiter
from app.web.ui.chat import REASONING_TAGS, ChatHistory, chat_text
from app.web.ui.common import MATH, greeting, header, refusals_as_notes, shown_to_user, signed_in
from app.web.ui.keypad import keypad
from app.web.ui.practice_picker import (
    ADAPTIVE,
    ADAPTIVE_LABEL,
    assignments_markdown,
    default_choice,
    parse_choice,
    practice_choices,
)
from app.web.ui.progress_view import mastery_table, stats_markdown
from app.web.ui.views import (
    SCHOOL_DEFAULT,
    attempts_table,
    feedback_markdown,
    frame_html,
    hints_markdown,
    preview_markdown,
    problem_markdown,
    worked_so_far,
)

MAX_QUESTION_CHARS = 500
CONFIRM_SOLUTION = (
    "() => window.confirm('Show the worked solution? This ends the problem: it counts as not solved, "
    "and your teacher sees that you looked at the solution.')"
)


def state_before_last_step(start: str, steps: list[web_queries.StepLine]) -> str:
    """Where the learner stood when they wrote their last step: the start or the last accepted step."""
    state = start
    for step in steps[:-1]:
        if step.accepted:
            state = step.text
    return state


def _counter(assignments: list[AssignmentInfo], assignment_id: int | None) -> str:
    """ "Week 1 · problem 2 of 5" above an assignment's problem; nothing in free practice."""
    shown = next((a for a in assignments if a.id == assignment_id), None)
    if shown is None or shown.progress is None:
        return ""
    return f"**{escape(shown.title)}** · problem {shown.progress.counter}"


NO_PROBLEMS = "No problems yet: press Next problem on the Practice tab."
SKIP_OFFER = (
    "**You haven't finished this problem yet.** Skip it and get a new one? A skipped problem counts as "
    "not solved, and your teacher sees that you skipped it."
)
SKIPPED = "_Skipped: that problem counts as not solved._"


def build(
    db: Database, tutor: TutorModel, limiter: RateLimiter, *, zone: ZoneInfo = SCHOOL_DEFAULT
) -> gr.Blocks:
    with gr.Blocks(title="FlashTutor · Practice") as page:
        top = header("Practice")
        session_id = gr.State(None)
        attempt_id = gr.State(None)
        last_action = gr.State(0.0)
        running_request = gr.State(None)
        solution_ok = gr.Checkbox(False, visible=False)  # set in the browser by CONFIRM_SOLUTION
        history = gr.State(ChatHistory())
        with gr.Tabs():
            with gr.Tab("Practice"):
                my_assignments = gr.Markdown(elem_id="my-assignments")
                with gr.Row(equal_height=True):
                    practice = gr.Dropdown(
                        [(ADAPTIVE_LABEL, ADAPTIVE)],
                        value=ADAPTIVE,
                        label="What to practise",
                        scale=4,
                        elem_id="practice-picker",
                    )
                    next_button = gr.Button("Next problem", variant="primary", scale=1)
                # Next during an unfinished problem would bring the same problem back: it offers this.
                with gr.Column(visible=False, elem_id="skip-offer") as skip_offer:
                    gr.Markdown(SKIP_OFFER, elem_classes="ft-skip-offer")
                    with gr.Row():
                        skip_button = gr.Button("Skip this problem", variant="stop")
                        keep_button = gr.Button("Keep working")
                counter = gr.Markdown(elem_id="assignment-counter")
                problem = gr.Markdown(
                    "_Press **Next problem** to begin._",
                    latex_delimiters=MATH,
                    elem_classes="ft-problem",
                    elem_id="problem",
                )
                steps = gr.Markdown(latex_delimiters=MATH, elem_classes="ft-steps", elem_id="steps")
                feedback = gr.Markdown(latex_delimiters=MATH, elem_classes="ft-feedback", elem_id="feedback")
                step_box = gr.Textbox(
                    label="Your next step (plain text or LaTeX)",
                    placeholder="e.g. 2x = 8",
                    max_length=tutoring.MAX_STEP_LENGTH,
                    lines=1,
                    max_lines=3,
                    elem_id="step-box",
                )
                keypad("step-box")
                preview = gr.Markdown(
                    preview_markdown(""), latex_delimiters=MATH, elem_classes="ft-preview", elem_id="preview"
                )
                with gr.Row():
                    check_button = gr.Button("Check step", variant="primary")
                    hint_button = gr.Button("Hint")
                    explain_button = gr.Button("Explain my last step")
                    solution_button = gr.Button("Show solution")
                    give_up_button = gr.Button("Give up", variant="stop")
                hints = gr.Markdown(latex_delimiters=MATH, elem_classes="ft-hints", elem_id="hints")
                with gr.Accordion("Ask the tutor", open=False) as tutor_box:
                    chat = gr.Chatbot(
                        elem_id="tutor-chat",
                        label="Tutor",
                        height=320,
                        latex_delimiters=MATH,
                        reasoning_tags=REASONING_TAGS,
                        buttons=["copy"],
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            label="Your question",
                            placeholder="Why do I divide both sides?",
                            max_length=MAX_QUESTION_CHARS,
                            scale=4,
                        )
                        ask_button = gr.Button("Ask", scale=1)
                        stop_button = gr.Button("Stop", scale=1, variant="stop")
            with gr.Tab("Progress") as progress_tab:
                stats = gr.Markdown(elem_classes="ft-stats", elem_id="stats")
                table = gr.HTML(elem_classes="ft-mastery", elem_id="mastery")
                recent = gr.HTML(elem_id="recent-problems")

        def learner(request: gr.Request) -> UserInfo:
            return signed_in(db, request, "student")

        def show_attempt(user_id: int, attempt: int) -> str:
            return worked_so_far(web_queries.attempt_detail(db, viewer=user_id, attempt_id=attempt))

        def on_load(request: gr.Request):
            user = learner(request)
            mine = student_assignments(db, student_id=user.id)
            choices = practice_choices(mine)
            return (
                greeting("Practice", user),
                assignments_markdown(mine),
                gr.update(choices=choices, value=default_choice(mine)),
            )

        def serve_next(user: UserInfo, session: int | None, value: str | None, note: str = ""):
            """The next problem (a new session when there is none), or the assignment's finish line;
            ``note`` goes in the feedback. The skip offer is hidden either way."""
            hide_offer = gr.update(visible=False)
            with shown_to_user():
                choice = parse_choice(value)
                if session is None:
                    started = tutoring.start_session(db, user_id=user.id, assignment_id=choice.assignment_id)
                    session = started.id
                try:
                    view = next_problem(db, session_id=session, user_id=user.id, skill_id=choice.skill_id)
                except AssignmentComplete as done:  # the finish line: a message, not an error
                    mine = student_assignments(db, student_id=user.id)
                    return (None, None, 0.0, f"### ✓ {done}", "", note, "", "", [], ChatHistory(), "",
                            assignments_markdown(mine),
                            gr.update(choices=practice_choices(mine), value=default_choice(mine)), hide_offer)
            mine = student_assignments(db, student_id=user.id)
            return (
                session,
                view.attempt_id,
                time.time(),
                problem_markdown(view),
                show_attempt(user.id, view.attempt_id),
                note,
                "",
                "",
                [],
                ChatHistory(view.attempt_id),
                _counter(mine, choice.assignment_id),
                assignments_markdown(mine),
                gr.update(),
                hide_offer,
            )

        @refusals_as_notes(outputs=14)
        def on_next(session: int | None, attempt: int | None, value: str | None, request: gr.Request):
            user = learner(request)
            if session is not None and attempt is not None:
                with shown_to_user():
                    now = tutoring.current_problem(db, attempt_id=attempt, user_id=user.id)
                if now.status == "in_progress":  # Next would bring this problem back: offer a skip
                    return (*(gr.skip() for _ in range(13)), gr.update(visible=True))
            return serve_next(user, session, value)

        @refusals_as_notes(outputs=14)
        def on_skip(session: int | None, attempt: int | None, value: str | None, request: gr.Request):
            user = learner(request)
            if attempt is None:
                raise gr.Error("There is no problem to skip.")
            with shown_to_user():
                tutoring.skip_problem(db, attempt_id=attempt, user_id=user.id)
            return serve_next(user, session, value, note=SKIPPED)

        @refusals_as_notes(outputs=5)
        def on_step(attempt: int | None, text: str, started: float, request: gr.Request):
            user = learner(request)
            if attempt is None:
                raise gr.Error("Press Next problem to get a problem first.")
            if not text.strip():
                raise gr.Error("Write a step first, for example 2x = 8.")
            elapsed_ms = int(max(0.0, time.time() - started) * 1000) if started else 0
            with shown_to_user():
                result = tutoring.submit_step(
                    db,
                    attempt_id=attempt,
                    user_id=user.id,
                    text=text,
                    client_request_id=uuid.uuid4().hex,
                    time_taken_ms=min(elapsed_ms, tutoring.MAX_STEP_MILLISECONDS),
                )
            box = "" if result.accepted else text
            keep_working = gr.update(visible=False)  # a step sent answers the skip offer
            return show_attempt(user.id, attempt), feedback_markdown(result), box, time.time(), keep_working

        @refusals_as_notes(outputs=1)
        def on_hint(attempt: int | None, request: gr.Request) -> str:
            user = learner(request)
            if attempt is None:
                raise gr.Error("Press Next problem to get a problem first.")
            with shown_to_user():
                latest = help.request_hint(db, attempt_id=attempt, user_id=user.id, tutor=tutor,
                                           before_model=lambda: limiter.take(user.id))
                given = web_queries.attempt_detail(db, viewer=user.id, attempt_id=attempt).hints
            return hints_markdown(given, latest)

        @refusals_as_notes(outputs=2)
        def on_solution(attempt: int | None, confirmed: bool, request: gr.Request):
            user = learner(request)
            if not confirmed:  # the learner chose to keep working
                return gr.skip()
            if attempt is None:
                raise gr.Error("Press Next problem to get a problem first.")
            with shown_to_user():
                solution = help.reveal_solution(db, attempt_id=attempt, user_id=user.id)
            lines = [f"1. ${step.after}$ — {step.rule}. {step.explanation}" for step in solution.steps]
            return "**Worked solution**\n\n" + "\n".join(lines), gr.update(visible=False)  # problem over

        @refusals_as_notes(outputs=2)
        def on_give_up(attempt: int | None, request: gr.Request):
            user = learner(request)
            if attempt is None:
                raise gr.Error("There is no problem to give up on.")
            with shown_to_user():
                summary = tutoring.finish_problem(db, attempt_id=attempt, user_id=user.id)
            finished = f"Finished ({summary.status.replace('_', ' ')}). Press *Next problem* for another."
            return finished, gr.update(visible=False)

        def on_ask(attempt: int | None, text: str, talk: ChatHistory, request: gr.Request):
            user = learner(request)
            if attempt is None:
                raise gr.Error("Get a problem first; the tutor answers questions about it.")
            if not text.strip():
                raise gr.Error("Type a question for the tutor first.")
            if len(text) > MAX_QUESTION_CHARS:
                raise gr.Error(f"Please keep questions under {MAX_QUESTION_CHARS} characters.")
            with shown_to_user():
                limiter.take(user.id)
                problem_now, current = web_queries.attempt_problem(db, user_id=user.id, attempt_id=attempt)
            talk = talk.for_attempt(attempt)
            shown = [*talk.messages(), {"role": "user", "content": text}]
            answer = ""
            drafts = tutor_replies.ask_stream(
                db, tutor, user_id=user.id, attempt_id=attempt, problem=problem_now, current=current,
                question=text, history=talk.turns,
            )  # fmt: skip
            for draft in drafts:
                answer = chat_text(draft)
                yield [*shown, {"role": "assistant", "content": answer}], "", draft.request_id, gr.skip()
            # Only a finished answer is remembered; one the learner stopped is not the tutor's word.
            yield gr.skip(), gr.skip(), gr.skip(), talk.with_turn(text, answer)

        def on_explain(attempt: int | None, talk: ChatHistory, request: gr.Request):
            user = learner(request)
            if attempt is None:
                raise gr.Error("Press Next problem to get a problem first.")
            with shown_to_user():
                steps_so_far = web_queries.attempt_detail(db, viewer=user.id, attempt_id=attempt).steps
                if not steps_so_far:
                    raise gr.Error("Write a step first; then the tutor can explain it.")
                limiter.take(user.id)
                problem_now, _ = web_queries.attempt_problem(db, user_id=user.id, attempt_id=attempt)
            before = state_before_last_step(problem_now.start, steps_so_far)
            reply = tutor_replies.explain_step(
                db, tutor, user_id=user.id, attempt_id=attempt, problem=problem_now, before=before,
                after=steps_so_far[-1].text,
            )  # fmt: skip
            text = f"{reply.text}\n\n_{reply.notice}_" if reply.notice else reply.text
            talk = talk.for_attempt(attempt).with_turn(f"Explain my step ${steps_so_far[-1].text}$", text)
            return talk.messages(), gr.Accordion(open=True), talk

        def on_stop(request_id: str | None) -> None:
            if request_id:
                tutor.client.cancel(request_id)

        def on_progress(request: gr.Request):
            user = learner(request)
            mine = progress(db, user_id=user.id)
            recent_attempts = web_queries.learner_attempts(db, viewer=user.id, student_id=user.id)
            return (
                stats_markdown(mine, recent_attempts),
                mastery_table(mine),
                frame_html(
                    attempts_table(recent_attempts, zone), caption="Recent problems", empty=NO_PROBLEMS
                ),
            )

        page.load(on_load, outputs=[top, my_assignments, practice])
        # A new choice of what to practise starts a new tutoring session at the next problem.
        practice.change(lambda: None, outputs=session_id)
        next_outputs = [
            session_id, attempt_id, last_action, problem, steps, feedback, step_box, hints, chat, history,
            counter, my_assignments, practice, skip_offer,
        ]
        next_button.click(on_next, inputs=[session_id, attempt_id, practice], outputs=next_outputs)
        skip_button.click(on_skip, inputs=[session_id, attempt_id, practice], outputs=next_outputs)
        keep_button.click(lambda: gr.update(visible=False), outputs=skip_offer)
        step_box.change(
            preview_markdown,
            inputs=step_box,
            outputs=preview,
            show_progress="hidden",
            trigger_mode="always_last",
        )
        step_inputs = dict(
            inputs=[attempt_id, step_box, last_action],
            outputs=[steps, feedback, step_box, last_action, skip_offer],
        )
        check_button.click(on_step, **step_inputs)
        step_box.submit(on_step, **step_inputs)
        hint_button.click(on_hint, inputs=attempt_id, outputs=hints)
        explain_button.click(on_explain, inputs=[attempt_id, history], outputs=[chat, tutor_box, history])
        # Showing the solution ends the problem, so the learner confirms first (the browser's own dialog).
        solution_button.click(None, outputs=solution_ok, js=CONFIRM_SOLUTION).then(
            on_solution, inputs=[attempt_id, solution_ok], outputs=[hints, skip_offer]
        )
        give_up_button.click(on_give_up, inputs=attempt_id, outputs=[feedback, skip_offer])
        ask_io = dict(
            inputs=[attempt_id, question, history], outputs=[chat, question, running_request, history]
        )
        asking = [ask_button.click(on_ask, **ask_io), question.submit(on_ask, **ask_io)]
        stop_button.click(on_stop, inputs=running_request, cancels=asking)
        progress_tab.select(on_progress, outputs=[stats, table, recent])
    return page
