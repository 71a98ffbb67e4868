"""The teacher's Problems tab: write a problem with a live preview and a check, import a problem
set from CSV or JSONL, and set chosen problems as an assignment."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from zoneinfo import ZoneInfo

import gradio as gr

from app.db import Database
from app.services import authoring
from app.services.assignments import create_problem_set
from app.services.errors import InvalidInput
from app.services.problem_import import MAX_IMPORT_CHARS, ProblemImportError, import_problems
from app.services.users import UserInfo
from app.web.gradio_files import uploaded_file
from app.web.ui.common import MATH, shown_to_user
from app.web.ui.teacher_views import parse_due_date
from app.web.ui.views import skill_name
from tutor.forms import KINDS as FORM_KINDS
from tutor.parse import MathSyntaxError, typed_latex
from tutor.problems import SKILLS
from tutor.workability import check_workable

LEVELS = [(f"Level {n}", n) for n in range(1, 6)]
SKILL_CHOICES = [(skill.name, skill_id) for skill_id, skill in SKILLS.items()]
FORM_HELP = "e.g. equivalent, simplified, factored, solved:x, decimal:2"


def draft_preview(prompt: str, start: str, answer: str) -> str:
    """The problem as a learner will see it, and the answer as the checker reads it."""
    lines = [prompt.strip() or "_The prompt appears here._"]
    for label, text in (("", start), ("Answer: ", answer)):
        if text.strip():
            try:
                lines.append(f"{label}$${typed_latex(text)}$$")
            except MathSyntaxError as error:
                lines.append(f"{label}⚠ not readable math yet: {error}")
    return "\n\n".join(lines)


def problem_choices(problems: list[authoring.AuthoredProblem]) -> list[tuple[str, int]]:
    return [(f"#{p.id} {skill_name(p.skill_id)} L{p.difficulty}: {_first_line(p)} ({p.prompt[:60]})", p.id)
            for p in problems]


def _first_line(problem: authoring.AuthoredProblem) -> str:
    """The start, or for a word problem with none, its subject (imported sets) or that it has none."""
    if problem.start:
        return problem.start
    return f"{problem.subject}, no start" if problem.subject else "no start"


def problems_tab(
    db: Database, teacher: Callable[[gr.Request], UserInfo], class_pick: gr.Dropdown, assignments: gr.HTML,
    assignments_html: Callable[[int, int], str], zone: ZoneInfo,
) -> None:
    """Build the tab inside the open ``gr.Tabs``; a problem set created here refreshes ``assignments``."""
    with gr.Tab("Problems"):
        gr.Markdown("**Write a problem**")
        with gr.Row():
            prompt = gr.Textbox(label="Prompt", placeholder="Solve for x.", elem_id="problem-prompt", scale=2)
            start = gr.Textbox(label="Start (the first line of math), empty for a word problem",
                               placeholder="2x + 3 = 11", elem_id="problem-start")
            answer = gr.Textbox(label="Final answer", placeholder="x = 4", elem_id="problem-answer")
        with gr.Row():
            form = gr.Dropdown([*FORM_KINDS, "solved:x"], value="equivalent", allow_custom_value=True,
                               label=f"Required answer form ({FORM_HELP})", elem_id="problem-form")
            skill = gr.Dropdown(SKILL_CHOICES, label="Skill", elem_id="problem-skill")
            level = gr.Dropdown(LEVELS, value=2, label="Level")
        preview = gr.Markdown(draft_preview("", "", ""), latex_delimiters=MATH, elem_id="problem-preview")
        with gr.Row():
            check_button = gr.Button("Check it")
            save_button = gr.Button("Save problem", variant="primary")
        verdict = gr.Markdown(elem_id="problem-check")

        gr.Markdown("**Import a problem set** (CSV or JSONL: prompt, start, answer, form, skill, level; "
                    "MATH-500 and GSM8K rows also read as they are, with no start needed)")
        with gr.Row():
            import_file = gr.UploadButton("Choose a .csv or .jsonl file…", file_types=[".csv", ".jsonl"],
                                          type="filepath")
            import_skill = gr.Dropdown(SKILL_CHOICES, label="Skill for rows without one")
            import_level = gr.Dropdown(LEVELS, value=2, label="Level for rows without one")
        import_result = gr.Markdown(elem_id="import-result")

        gr.Markdown("**Assign problems as a problem set** (served in the order listed, each once)")
        mine = gr.CheckboxGroup(label="Your problems", choices=[], elem_id="my-problems")
        with gr.Row():
            set_title = gr.Textbox(label="Title", placeholder="e.g. Friday quiz", elem_id="set-title")
            set_due = gr.Textbox(label="Due date (YYYY-MM-DD, optional)", placeholder="2026-12-01")
            set_button = gr.Button("Assign problem set", variant="primary")
        set_result = gr.Markdown(elem_id="set-result")

    def refreshed_choices(user_id: int, chosen: list[int] | None = None):
        problems = authoring.author_problems(db, author_id=user_id)
        return gr.update(choices=problem_choices(problems), value=chosen or [])

    def draft(prompt_text: str, start_text: str, answer_text: str, form_text: str | None,
              skill_id: str | None, level_value: int) -> authoring.ProblemDraft:
        if not skill_id:
            raise gr.Error("Choose the skill this problem practises.")
        kind = authoring.kind_of(start_text, answer_text)
        return authoring.ProblemDraft(skill_id, int(level_value), kind, prompt_text, start_text, answer_text,
                                      (form_text or "equivalent").strip())

    def on_problem_check(prompt_text: str, start_text: str, answer_text: str, form_text: str | None,
                 skill_id: str | None, level_value: int, request: gr.Request) -> str:
        teacher(request)
        with shown_to_user():
            candidate = draft(prompt_text, start_text, answer_text, form_text, skill_id, level_value)
            workable = check_workable(authoring.as_tutor_problem(candidate))
        mark = {True: "✓ ", False: "✗ ", None: "? "}[workable.answer_follows]
        return mark + workable.message

    def on_problem_save(prompt_text: str, start_text: str, answer_text: str, form_text: str | None,
                skill_id: str | None, level_value: int, request: gr.Request):
        user = teacher(request)
        with shown_to_user():
            candidate = draft(prompt_text, start_text, answer_text, form_text, skill_id, level_value)
            workable = check_workable(authoring.as_tutor_problem(candidate))
            if workable.answer_follows is False:
                raise InvalidInput(workable.message)
            [saved] = authoring.add_problems(db, author_id=user.id, problems=[candidate])
        saved_note = f"✓ Saved as problem #{saved}. {workable.message}"
        return saved_note, refreshed_choices(user.id, [saved]), "", "", ""

    def on_class_problems(request: gr.Request):
        return refreshed_choices(teacher(request).id)

    def on_problem_import(path: str | None, skill_id: str | None, level_value: int, request: gr.Request):
        user = teacher(request)
        if not path:
            return gr.skip(), gr.skip()
        file = uploaded_file(path)  # only a file this page's upload route received, never another path
        try:
            data = file.read_bytes()
        finally:
            file.unlink(missing_ok=True)
        if len(data) > MAX_IMPORT_CHARS * 4:
            raise gr.Error("That file is too large for a problem set.")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise gr.Error("That file is not UTF-8 text; save it as UTF-8 and try again.") from error
        try:
            ids = import_problems(db, author_id=user.id, text=text, filename=file.name, skill_id=skill_id,
                                  level=int(level_value))
        except ProblemImportError as refused:
            named = "\n".join(f"- line {e.line}: {e.message}" for e in refused.errors)
            return f"**Nothing was imported.** Fix these rows and try again:\n\n{named}", gr.skip()
        except InvalidInput as refused:
            return f"**Nothing was imported:** {refused}", gr.skip()
        return f"Imported {len(ids)} problems (ticked below).", refreshed_choices(user.id, ids)

    def on_problem_set(
        class_id: int | None, chosen: list[int], title_text: str, due_text: str, request: gr.Request
    ):
        user = teacher(request)
        if class_id is None:
            raise gr.Error("Choose or create a class first.")
        if not chosen:
            raise gr.Error("Tick the problems to set.")
        with shown_to_user():
            created = create_problem_set(db, teacher_id=user.id, class_id=class_id, title=title_text,
                                         problem_ids=[int(i) for i in chosen],
                                         due_at=parse_due_date(due_text, zone))
        note = (f"✓ Set “{escape(created.title)}” for {escape(created.class_name)}: {created.problem_count} "
                "problems. Completion and scores are on the Assignments tab.")
        return assignments_html(user.id, class_id), "", refreshed_choices(user.id), note

    fields = [prompt, start, answer, form, skill, level]
    # One listener for the three boxes, so a slow preview of an older draft never lands after a newer one.
    gr.on([prompt.change, start.change, answer.change], draft_preview, inputs=[prompt, start, answer],
          outputs=preview, show_progress="hidden", trigger_mode="always_last")
    check_button.click(on_problem_check, inputs=fields, outputs=verdict)
    save_button.click(on_problem_save, inputs=fields, outputs=[verdict, mine, prompt, start, answer])
    import_file.upload(on_problem_import, inputs=[import_file, import_skill, import_level],
                       outputs=[import_result, mine])
    set_button.click(on_problem_set, inputs=[class_pick, mine, set_title, set_due],
                     outputs=[assignments, set_title, mine, set_result])
    class_pick.change(on_class_problems, outputs=mine)
