"""The admin page: assessment batches (upload, start, watch, download) and the worker pool's status."""

from __future__ import annotations

from html import escape

import gradio as gr
import pandas as pd

from app.contract import QueueUnavailable, WorkerHeartbeat
from app.db import Database
from app.services import assessment
from app.services.users import UserInfo, create_user
from app.services.web_queries import job_counts, recent_jobs
from app.settings import Settings
from app.web.gradio_files import FORGET_UPLOADS, uploaded_file
from app.web.ui.common import greeting, header, shown_to_user, signed_in
from app.web.ui.views import frame_html
from app.worker.client import WorkerClient

GRADE_LABEL = "Grade answers (columns: learner, problem, answer, expected; optional form)"
EVALUATE_LABEL = "Evaluate the model (columns: problem, answer)"
WORKER_COLUMNS = ["worker", "running", "waiting", "slots", "tokens/s"]


def progress_html(progress: assessment.JobProgress) -> str:
    """A progress bar with counts, and the score so far."""
    share = progress.done / progress.total if progress.total else 1.0
    error = f"<p class='ft-bad'>{escape(progress.error)}</p>" if progress.error else ""
    review = f" · {progress.needs_review} need review (not checked in time)" if progress.needs_review else ""
    return (
        f"<div class='ft-job'><b>Job {progress.job_id}</b> · {progress.kind} · {progress.status}"
        f"<div class='ft-bar'><div style='width: {share:.0%}'></div></div>"
        f"{progress.done} / {progress.total} graded · {progress.correct} correct ({progress.score:.0%})"
        f"{review}{error}</div>"
    )


def workers_frame(client: WorkerClient) -> pd.DataFrame:
    rows = [
        [w.name, w.running, w.waiting, w.slots, round(w.tokens_per_second, 1)]
        for w in client.workers()
    ]
    return pd.DataFrame(rows, columns=WORKER_COLUMNS)


def thinking_note(thinking_s: float, workers: list[WorkerHeartbeat]) -> str:
    """How much reasoning a learner-facing reply gets at the speed the workers report now."""
    rates = [w.tokens_per_second / max(w.running, 1) for w in workers if w.tokens_per_second > 0]
    if not rates:
        return f"Learner replies may reason for {thinking_s:g} s (FLASHTUTOR_HINT_THINKING_S)."
    tokens = int(thinking_s * max(rates))
    return (
        f"Learner replies may reason for {thinking_s:g} s, about {tokens} tokens at the "
        f"{max(rates):.1f} tokens/s one request gets now (FLASHTUTOR_HINT_THINKING_S)."
    )


def results_url(job_id: int) -> str:
    """Where the download button fetches a job's results: the API route that checks for an admin."""
    return f"/api/jobs/{job_id}/results.jsonl"


def build(db: Database, settings: Settings, client: WorkerClient) -> gr.Blocks:
    job_results = settings.results_dir
    with gr.Blocks(title="FlashTutor · Admin", delete_cache=FORGET_UPLOADS) as page:
        top = header("Admin")
        with gr.Tabs():
            with gr.Tab("Assessment"):
                with gr.Row():
                    upload = gr.File(
                        label="Batch file (.csv or .jsonl)", file_types=[".csv", ".jsonl"], type="filepath"
                    )
                    with gr.Column():
                        kind = gr.Radio([GRADE_LABEL, EVALUATE_LABEL], value=GRADE_LABEL, label="What to do")
                        samples = gr.Number(
                            value=4,
                            precision=0,
                            minimum=1,
                            maximum=64,
                            label="Samples per problem (model evaluation)",
                        )
                        start_button = gr.Button("Start", variant="primary")
                job_pick = gr.Dropdown(label="Job", choices=[])
                job_view = gr.HTML(elem_id="job")
                download = gr.Button("Download results (JSONL)", visible=False)
                ticker = gr.Timer(1.0, active=False)
            with gr.Tab("Workers"):
                workers = gr.HTML(elem_id="workers")
                worker_note = gr.Markdown(elem_id="workers-note")
                refresh_workers = gr.Button("Refresh")
            with gr.Tab("Accounts"):
                with gr.Row():
                    new_username = gr.Textbox(label="Username")
                    new_name = gr.Textbox(label="Display name")
                    new_role = gr.Dropdown(["teacher", "student", "admin"], value="teacher", label="Role")
                    new_password = gr.Textbox(label="First password (8+ characters)", type="password")
                create_button = gr.Button("Create account")
                created = gr.Markdown()

        def admin(request: gr.Request) -> UserInfo:
            return signed_in(db, request, "admin")

        def job_choices() -> list[tuple[str, int]]:
            return [(f"#{job_id} {name}", job_id) for job_id, name in recent_jobs(db)]

        def on_load(request: gr.Request):
            user = admin(request)
            choices = job_choices()
            return greeting("Admin", user), gr.update(
                choices=choices, value=choices[0][1] if choices else None
            )

        def on_start(path: str | None, what: str, count: float, request: gr.Request):
            user = admin(request)
            if not path:
                raise gr.Error("Choose a .csv or .jsonl file first.")
            batch = uploaded_file(path)
            try:
                if what == GRADE_LABEL:
                    job_id = assessment.create_grading_job(db, batch, created_by=user.id)
                else:
                    job_id = assessment.create_evaluation_job(
                        db,
                        batch,
                        samples=int(count or 1),
                        created_by=user.id,
                        max_tokens=settings.max_new_tokens,
                    )
            except assessment.JobInputError as error:
                raise gr.Error(str(error)) from error
            # The job holds the rows now; the upload (learners' answers) is not left lying around.
            batch.unlink(missing_ok=True)
            try:
                client.submit_assessment(job_id)
            except QueueUnavailable as error:
                gr.Warning(f"Job #{job_id} is saved, but {error}. It starts once the queue is back.")
            return gr.update(choices=job_choices(), value=job_id), None

        def on_job(job_id: int | None, request: gr.Request):
            admin(request)
            if job_id is None:
                return "", gr.update(visible=False), gr.Timer(active=False)
            try:
                progress = assessment.job_progress(db, job_id)
            except assessment.JobInputError as error:
                raise gr.Error(str(error)) from error
            finished = progress.status in ("done", "failed", "cancelled")
            results = assessment.results_path(job_results, job_id)
            show_download = progress.status == "done" and results.exists()
            return (
                progress_html(progress),
                gr.update(link=results_url(job_id) if show_download else None, visible=show_download),
                gr.Timer(active=not finished),
            )

        def on_workers(request: gr.Request):
            admin(request)
            frame = workers_frame(client)
            counts = job_counts(db)
            jobs = f"Batch jobs: {counts.get('queued', 0)} queued, {counts.get('running', 0)} running."
            if not len(frame):
                jobs += " No model worker is running: the symbolic tutor works without one."
            table = frame_html(frame, caption="Model workers", empty="No model worker is running.")
            return table, f"{jobs} {thinking_note(settings.hint_thinking_s, client.workers())}".strip()

        def on_create(username: str, name: str, role: str, password: str, request: gr.Request) -> str:
            admin(request)
            with shown_to_user():
                user = create_user(db, username=username, display_name=name, role=role, password=password)
            return f"Created **{user.username}** ({user.role})."

        page.load(on_load, outputs=[top, job_pick]).then(on_workers, outputs=[workers, worker_note])
        start_button.click(on_start, inputs=[upload, kind, samples], outputs=[job_pick, upload])
        job_outputs = [job_view, download, ticker]
        job_pick.change(on_job, inputs=job_pick, outputs=job_outputs)
        ticker.tick(on_job, inputs=job_pick, outputs=job_outputs, show_progress="hidden")
        refresh_workers.click(on_workers, outputs=[workers, worker_note])
        create_button.click(
            on_create, inputs=[new_username, new_name, new_role, new_password], outputs=created
        )
    return page
