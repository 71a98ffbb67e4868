"""The teacher dashboard: classes and rosters, mastery heatmap and timeline, common errors, one
learner's attempts step by step, teachers' own problems, assignments and the gradebook export."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import gradio as gr

from app.db import Database
from app.roster import import_roster
from app.services import tutor_replies
from app.services import web_queries as queries
from app.services.assignments import class_report, create_assignment
from app.services.classes import class_students, create_class, set_log_base
from app.services.users import UserInfo
from app.web.gradio_files import FORGET_UPLOADS
from app.web.ui.common import MATH, greeting, header, shown_to_user, signed_in
from app.web.ui.teacher_problems import problems_tab
from app.web.ui.teacher_views import (
    assignments_frame,
    errors_frame,
    gradebook_url,
    mastery_heatmap,
    parse_due_date,
    read_roster_file,
    timeline_frame,
)
from app.web.ui.views import (
    SCHOOL_DEFAULT,
    attempt_markdown,
    attempts_table,
    frame_html,
    local_time,
    skill_name,
)
from tutor.problems import SKILLS

NO_WORK = "No work yet: your students' attempts appear here as they practise."
NO_ERRORS = "No common errors yet."
NO_ASSIGNMENTS = "No assignments yet: set one above."
LOG_BASE_CHOICES = [("logarithm to base 10 (school calculators)", "10"), ("natural logarithm (base e)", "e")]
# A click on a recent-work row (or Enter on its link) asks the server to open that attempt in the
# Learner tab; the rows carry their attempt id (views.frame_html with attempt_links).
OPEN_ATTEMPT_JS = """
element.addEventListener('click', (event) => {
  const row = event.target.closest('[data-attempt]');
  if (!row || !element.contains(row)) return;
  event.preventDefault();
  trigger('click', {attempt: row.dataset.attempt});
});
"""


def recent_work_html(attempts: list[queries.AttemptSummary], zone: ZoneInfo) -> str:
    """The class's latest attempts, each row opening its drill-down."""
    return frame_html(attempts_table(attempts, zone), caption="Latest attempts", empty=NO_WORK,
                      attempt_links=True)


def attempt_choice(attempt: queries.AttemptSummary) -> tuple[str, int]:
    """How an attempt reads in the drill-down's picker: "#12 Two-step equations: Solve... (skipped)"."""
    status = attempt.status.replace("_", " ")
    return f"#{attempt.id} {skill_name(attempt.skill_id)}: {attempt.prompt} ({status})", attempt.id


def clicked_attempt(event: gr.EventData) -> int | None:
    """The attempt id a recent-work row sent, or None for anything else."""
    data = getattr(event, "_data", None)
    value = data.get("attempt") if isinstance(data, dict) else None
    text = str(value) if isinstance(value, (int, str)) else ""
    return int(text) if text.isdecimal() and len(text) <= 18 else None


def assignments_html(db: Database, teacher_id: int, class_id: int, zone: ZoneInfo) -> str:
    reports = class_report(db, teacher_id=teacher_id, class_id=class_id)
    return frame_html(assignments_frame(reports, zone), caption="Assignments", empty=NO_ASSIGNMENTS)


def build(db: Database, *, zone: ZoneInfo = SCHOOL_DEFAULT, refresh_s: float = 60.0) -> gr.Blocks:
    with gr.Blocks(title="FlashTutor · Teacher", delete_cache=FORGET_UPLOADS) as page:
        top = header("Teacher dashboard")
        with gr.Row(equal_height=True):
            class_pick = gr.Dropdown(label="Class", choices=[], scale=3)
            new_class = gr.Textbox(label="New class", placeholder="e.g. Algebra 1, period 3", scale=3)
            create_button = gr.Button("Create class", scale=1)
        refreshed = gr.Markdown(elem_id="refreshed", elem_classes="ft-refreshed")
        # The class's work, heatmap and errors follow what students do without reloading the page.
        ticker = gr.Timer(refresh_s)
        with gr.Tabs() as tabs:
            with gr.Tab("Recent work"):
                recent = gr.HTML(elem_id="recent-work", js_on_load=OPEN_ATTEMPT_JS)
            with gr.Tab("Mastery"):
                heatmap = gr.HTML(elem_id="heatmap")
                timeline = gr.LinePlot(
                    x="practice",
                    y="mastery",
                    color="learner",
                    label="Mastery as the class practises (one line per learner and skill)",
                    x_title="practice so far",
                    y_title="mastery",
                    color_title="learner · skill",
                    x_axis_format="d",
                    y_axis_format=".0%",
                    tooltip=["time"],
                    caption="Each point is one answer, hint or finished problem; hover over it to see when.",
                    elem_id="timeline",
                    y_lim=[0, 1],
                )
            with gr.Tab("Common errors"):
                errors = gr.HTML(elem_id="common-errors")
            with gr.Tab("Learner", id="learner"):
                with gr.Row():
                    student_pick = gr.Dropdown(label="Student", choices=[])
                    attempt_pick = gr.Dropdown(label="Attempt", choices=[])
                attempt_view = gr.Markdown(latex_delimiters=MATH, elem_classes="ft-steps", elem_id="attempt")
            with gr.Tab("Assignments"):
                with gr.Row():
                    title = gr.Textbox(label="Title", placeholder="e.g. Two-step equations, week 3")
                    skill = gr.Dropdown([(s.name, s.id) for s in SKILLS.values()], label="Skill")
                    levels = [("Chosen per learner", 0), *((f"Level {n}", n) for n in range(1, 6))]
                    level = gr.Dropdown(levels, value=0, label="Level")
                with gr.Row():
                    count = gr.Number(value=5, precision=0, minimum=1, maximum=50, label="Problems")
                    due = gr.Textbox(label="Due date (YYYY-MM-DD, optional)", placeholder="2026-12-01")
                    assign_button = gr.Button("Create assignment", variant="primary")
                assignments = gr.HTML(elem_id="assignments")
            problems_tab(db, lambda request: signed_in(db, request, "teacher"), class_pick, assignments,
                         lambda user_id, class_id: assignments_html(db, user_id, class_id, zone), zone)
            with gr.Tab("Roster & gradebook"):
                roster_csv = gr.Textbox(
                    label="Roster CSV: username, display_name, password (an empty password is generated)",
                    lines=5,
                    placeholder="username,display_name,password\nada,Ada Lovelace,",
                )
                with gr.Row():
                    roster_file = gr.UploadButton("Load a CSV file…", file_types=[".csv"], type="filepath")
                    import_button = gr.Button("Import roster", variant="primary")
                invitations = gr.Markdown(elem_id="invitations")
                gradebook_button = gr.Button("Download gradebook (CSV)", interactive=False)
            with gr.Tab("Class settings"):
                log_base = gr.Radio(
                    LOG_BASE_CHOICES, label="In this class, a bare log x means", value="10", interactive=True,
                    info="ln x is always the natural logarithm, lg x and log10(x) always base 10.",
                )
                log_base_saved = gr.Markdown(elem_id="class-settings")

        def teacher(request: gr.Request) -> UserInfo:
            return signed_in(db, request, "teacher")

        def on_load(request: gr.Request):
            user = teacher(request)
            classes = queries.teacher_classes(db, teacher_id=user.id)
            choices = [(c.name, c.id) for c in classes]
            return greeting("Teacher dashboard", user), gr.update(
                choices=choices, value=choices[0][1] if choices else None
            )

        def on_create(name: str, request: gr.Request):
            user = teacher(request)
            with shown_to_user():
                created = create_class(db, teacher_id=user.id, name=name)
            choices = [(c.name, c.id) for c in queries.teacher_classes(db, teacher_id=user.id)]
            return gr.update(choices=choices, value=created.id), ""

        def on_class(class_id: int | None, request: gr.Request):
            user = teacher(request)
            no_attempt = gr.update(choices=[], value=None)
            if class_id is None:
                empty = gr.update(choices=[], value=None)
                begin = "<p class='ft-empty'>Create a class above to begin.</p>"
                no_download = gr.update(link=None, interactive=False)
                return begin, begin, None, begin, empty, no_download, begin, no_attempt, ""
            with shown_to_user():
                attempts = queries.class_attempts(db, teacher_id=user.id, class_id=class_id)
                patterns = queries.common_errors(db, teacher_id=user.id, class_id=class_id)
                points = queries.class_timeline(db, teacher_id=user.id, class_id=class_id)
                students = class_students(db, class_id=class_id)
                set_work = class_report(db, teacher_id=user.id, class_id=class_id)
            return (
                recent_work_html(attempts, zone),
                mastery_heatmap(db, class_id),
                timeline_frame(points, zone),
                frame_html(errors_frame(patterns), caption="Common errors", empty=NO_ERRORS),
                gr.update(choices=[(s.display_name, s.id) for s in students], value=None),
                gr.update(link=gradebook_url(class_id), interactive=True),
                frame_html(assignments_frame(set_work, zone), caption="Assignments", empty=NO_ASSIGNMENTS),
                no_attempt,
                "",
            )

        def on_assign(
            class_id: int | None,
            title_text: str,
            skill_id: str | None,
            level_value: int,
            problems: float | None,
            due_text: str,
            request: gr.Request,
        ) -> tuple[str, str]:
            user = teacher(request)
            if class_id is None:
                raise gr.Error("Choose or create a class first.")
            if not skill_id:
                raise gr.Error("Choose the skill to practise.")
            with shown_to_user():
                create_assignment(
                    db, teacher_id=user.id, class_id=class_id, title=title_text, skill_id=skill_id,
                    difficulty=int(level_value) or None, problem_count=int(problems or 0),
                    due_at=parse_due_date(due_text, zone),
                )  # fmt: skip
                set_work = class_report(db, teacher_id=user.id, class_id=class_id)
            shown = frame_html(assignments_frame(set_work, zone), caption="Assignments", empty=NO_ASSIGNMENTS)
            return shown, ""

        def on_student(student_id: int | None, request: gr.Request):
            user = teacher(request)
            if student_id is None:
                return gr.update(choices=[], value=None)
            with shown_to_user():
                attempts = queries.learner_attempts(db, viewer=user.id, student_id=student_id)
            choices = [attempt_choice(a) for a in attempts]
            return gr.update(choices=choices, value=choices[0][1] if choices else None)

        def on_open(class_id: int | None, event: gr.EventData, request: gr.Request):
            """A recent-work row was clicked: its attempt, step by step, in the Learner tab."""
            user = teacher(request)
            attempt_id = clicked_attempt(event)
            if class_id is None or attempt_id is None:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()
            with shown_to_user():
                detail = queries.attempt_detail(db, viewer=user.id, attempt_id=attempt_id)
                students = class_students(db, class_id=class_id)
                student = next((s for s in students if s.username == detail.summary.username), None)
                if student is None:
                    raise gr.Error(f"{detail.summary.username} is no longer in this class.")
                attempts = queries.learner_attempts(db, viewer=user.id, student_id=student.id)
            choices = [attempt_choice(a) for a in attempts]
            if attempt_id not in [value for _, value in choices]:  # older than the picker's newest
                choices.append(attempt_choice(detail.summary))
            return (
                gr.Tabs(selected="learner"),
                gr.update(choices=[(s.display_name, s.id) for s in students], value=student.id),
                gr.update(choices=choices, value=attempt_id),
                attempt_markdown(detail),
            )

        def on_attempt(attempt_id: int | None, request: gr.Request) -> str:
            user = teacher(request)
            if attempt_id is None:
                return ""
            with shown_to_user():
                detail = queries.attempt_detail(db, viewer=user.id, attempt_id=attempt_id)
                replies = tutor_replies.attempt_replies(db, viewer=user.id, attempt_id=attempt_id)
                return attempt_markdown(detail, replies)

        def on_import(class_id: int | None, csv_text: str, request: gr.Request) -> str:
            user = teacher(request)
            if class_id is None:
                raise gr.Error("Choose or create a class first.")
            with shown_to_user():
                queries.check_teaches(db, teacher_id=user.id, class_id=class_id)
                result = import_roster(db, class_id=class_id, csv_text=csv_text)
            lines = [
                f"Imported: {len(result.created)} new, {len(result.enrolled)} enrolled, "
                f"{len(result.already_enrolled)} already in the class."
            ]
            if any(s.password for s in result.created):
                lines.append("\nInvitations (hand each student their first password; shown only now):\n")
                lines.append("| username | password |\n|---|---|")
                lines += [f"| {s.username} | `{s.password}` |" for s in result.created if s.password]
            return "\n".join(lines)

        def on_class_settings(class_id: int | None, request: gr.Request):
            user = teacher(request)
            if class_id is None:
                return gr.update(value="10"), ""
            with shown_to_user():
                chosen = next(c for c in queries.teacher_classes(db, teacher_id=user.id) if c.id == class_id)
            return gr.update(value=chosen.log_base), ""

        def on_log_base(class_id: int | None, base: str, request: gr.Request) -> str:
            user = teacher(request)
            if class_id is None:
                raise gr.Error("Choose or create a class first.")
            with shown_to_user():
                saved = set_log_base(db, teacher_id=user.id, class_id=class_id, log_base=base)
            meaning = dict((value, label) for label, value in LOG_BASE_CHOICES)[saved.log_base]
            return f"Saved: in {saved.name}, log x now means the {meaning}."

        def on_refresh(class_id: int | None, request: gr.Request):
            """Newer work for the views that change as students practise (pickers keep their choice)."""
            user = teacher(request)
            if class_id is None:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            with shown_to_user():
                attempts = queries.class_attempts(db, teacher_id=user.id, class_id=class_id)
                patterns = queries.common_errors(db, teacher_id=user.id, class_id=class_id)
                points = queries.class_timeline(db, teacher_id=user.id, class_id=class_id)
                set_work = class_report(db, teacher_id=user.id, class_id=class_id)
            now = local_time(datetime.now(UTC), zone)[11:]
            stamp = f"_Updated {now} ({zone.key}); this page fetches newer work every {refresh_s:g} s._"
            return (
                recent_work_html(attempts, zone),
                mastery_heatmap(db, class_id),
                timeline_frame(points, zone),
                frame_html(errors_frame(patterns), caption="Common errors", empty=NO_ERRORS),
                stamp,
                frame_html(assignments_frame(set_work, zone), caption="Assignments", empty=NO_ASSIGNMENTS),
            )

        ticker.tick(
            on_refresh, inputs=class_pick,
            outputs=[recent, heatmap, timeline, errors, refreshed, assignments], show_progress="hidden",
        )  # fmt: skip
        class_views = [recent, heatmap, timeline, errors, student_pick, gradebook_button, assignments,
                       attempt_pick, attempt_view]
        assign_button.click(
            on_assign, inputs=[class_pick, title, skill, level, count, due], outputs=[assignments, title]
        )
        page.load(on_load, outputs=[top, class_pick])
        class_pick.change(on_class, inputs=class_pick, outputs=class_views)
        class_pick.change(on_class_settings, inputs=class_pick, outputs=[log_base, log_base_saved])
        log_base.input(on_log_base, inputs=[class_pick, log_base], outputs=log_base_saved)
        create_button.click(on_create, inputs=new_class, outputs=[class_pick, new_class])
        # The teacher's own choice of student shows their newest attempt; a recent-work row sets both
        # pickers itself (on_open), so a change made by the server must not start this over.
        student_pick.input(on_student, inputs=student_pick, outputs=attempt_pick)
        recent.click(on_open, inputs=class_pick, outputs=[tabs, student_pick, attempt_pick, attempt_view])
        attempt_pick.change(on_attempt, inputs=attempt_pick, outputs=attempt_view)
        roster_file.upload(read_roster_file, inputs=roster_file, outputs=roster_csv)
        import_button.click(on_import, inputs=[class_pick, roster_csv], outputs=invitations).then(
            on_class, inputs=class_pick, outputs=class_views
        )
    return page
