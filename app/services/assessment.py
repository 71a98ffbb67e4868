"""Batch assessment jobs: grade learners' answers, or evaluate the model on a problem set.

A job stores its input rows when it is created and grades them item by item, one transaction per
item. Items are unique per (job, index), so a job that restarts after a crash skips what is already
graded and never grades an item twice. A lease keeps two workers off the same job at once.

Answers are checked in the batch checking pool, apart from learners' checks. A check that cannot finish
(no process free, or its CPU budget spent) is tried again, and an item that still cannot be decided is
stored as needing review (``correct`` is None), never as incorrect.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from app.contract import NO_MODEL, SYSTEM_PROMPT, Generate, Generation, GenerationRequest, SharedFlags
from app.db import Database
from app.models import AssessmentItem, AssessmentJob, ModelRequest
from app.models.base import utcnow
from app.services.errors import NotFound
from tutor import checking
from tutor.answers import extract_answer
from tutor.forms import FormError, parse_form
from tutor.grading import grade_output, warm_up_grading
from tutor.sandbox import DeadlineExceeded
from tutor.verify import check_answer

GRADE, EVALUATE = "grade", "evaluate"
LEASE_TTL_S = 10.0  # a killed worker's job is taken over this long after its last renewal
GRADE_COLUMNS = ("learner", "problem", "answer", "expected")
GRADE_OPTIONAL = {"form": "equivalent"}  # the form the answer must have (tutor.forms), when the file says
EVALUATE_COLUMNS = ("problem", "answer")
BOXED_INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}."
CHECK_TRIES = 3


class JobInputError(ValueError):
    """The file given to a job cannot be read as the rows that job needs."""


@dataclass(frozen=True)
class JobProgress:
    job_id: int
    kind: str
    status: str  # queued, running, done, failed
    done: int
    total: int
    correct: int
    error: str | None = None
    needs_review: int = 0  # items whose check could not finish: neither correct nor incorrect

    @property
    def score(self) -> float:
        """Share correct among graded items; for an evaluation, pass@1 averaged over the k samples."""
        return self.correct / self.done if self.done else 0.0


def read_rows(
    path: Path, columns: tuple[str, ...], optional: dict[str, str] | None = None
) -> list[dict[str, str]]:
    """Rows of a .csv or .jsonl file, with the required columns as strings, and the ``optional`` ones
    with their default where a row leaves them out or empty."""
    path = Path(path)
    if not path.is_file():
        raise JobInputError(f"{path} does not exist")
    try:
        if path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as file:
                rows = list(csv.DictReader(file))
        elif path.suffix in (".jsonl", ".json"):
            lines = path.read_text(encoding="utf-8").splitlines()
            rows = [json.loads(line) for line in lines if line.strip()]
        else:
            raise JobInputError(f"{path.name}: use a .csv or .jsonl file")
    except (json.JSONDecodeError, UnicodeDecodeError, csv.Error) as error:
        raise JobInputError(f"{path.name} is not valid {path.suffix[1:]}: {error}") from error
    if not rows:
        raise JobInputError(f"{path.name} has no rows")
    for number, row in enumerate(rows, start=1):
        missing = [c for c in columns if not isinstance(row, dict) or row.get(c) in (None, "")]
        if missing:
            raise JobInputError(f"{path.name}, row {number}: missing {', '.join(missing)} (need {columns})")
    defaults = optional or {}
    return [
        {c: str(row[c]) for c in columns}
        | {c: str(row[c]) if row.get(c) not in (None, "") else default for c, default in defaults.items()}
        for row in rows
    ]


def create_grading_job(
    database: Database, path: Path, *, name: str | None = None, created_by: int | None = None
) -> int:
    """A job that checks each learner's answer against the expected one with ``check_answer``, in the
    form the optional ``form`` column asks for (``simplified``, ``factored``, ``decimal:2``…)."""
    rows = read_rows(path, GRADE_COLUMNS, GRADE_OPTIONAL)
    for number, row in enumerate(rows, start=1):
        try:
            row["form"] = str(parse_form(row["form"]))
        except FormError as error:
            raise JobInputError(f"{Path(path).name}, row {number}: {error}") from error
    return _create(
        database, name or f"grade {Path(path).name}", {"kind": GRADE, "rows": rows}, len(rows), created_by
    )


def create_evaluation_job(
    database: Database,
    path: Path,
    *,
    samples: int = 4,
    max_tokens: int = 4096,
    temperature: float = 0.6,
    top_p: float = 0.95,
    name: str | None = None,
    created_by: int | None = None,
) -> int:
    """A job that asks the model each problem ``samples`` times (MATH-500 JSONL: problem, answer)."""
    if samples < 1:
        raise JobInputError(f"samples must be at least 1, got {samples}")
    rows = read_rows(path, EVALUATE_COLUMNS)
    parameters = {
        "kind": EVALUATE,
        "rows": rows,
        "samples": samples,
        "max_tokens": max_tokens,
        "temperature": temperature,
        "top_p": top_p,
    }
    return _create(
        database, name or f"evaluate {Path(path).name}", parameters, len(rows) * samples, created_by
    )


def job_progress(database: Database, job_id: int) -> JobProgress:
    with database.transaction() as session:
        job = _job(session, job_id)
        done, correct, undecided = session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((AssessmentItem.correct, 1), else_=0)), 0),
                func.coalesce(func.sum(case((AssessmentItem.correct.is_(None), 1), else_=0)), 0),
            ).where(AssessmentItem.job_id == job_id)
        ).one()
        return JobProgress(
            job.id, job.parameters["kind"], job.status, done, job.total_items, int(correct), job.error,
            int(undecided),
        )


def unfinished_jobs(database: Database) -> list[int]:
    """Queued or running jobs: what a starting worker re-queues (a job still held is left to its holder)."""
    with database.transaction() as session:
        return list(
            session.scalars(select(AssessmentJob.id).where(AssessmentJob.status.in_(("queued", "running"))))
        )


def queued_jobs(database: Database) -> list[int]:
    """Jobs waiting for a worker, oldest first."""
    with database.transaction() as session:
        query = select(AssessmentJob.id).where(AssessmentJob.status == "queued").order_by(AssessmentJob.id)
        return list(session.scalars(query))


def results_path(results_dir: Path, job_id: int) -> Path:
    return Path(results_dir) / f"assessment-{job_id}.jsonl"


def results_file(database: Database, results_dir: Path, job_id: int) -> Path:
    """The results file of a finished job, to download; ``NotFound`` when there is none (yet)."""
    with database.transaction() as session:
        job = session.get(AssessmentJob, job_id)
        finished = job is not None and job.status == "done"
    path = results_path(results_dir, job_id)
    if not finished or not path.is_file():
        raise NotFound(f"assessment job {job_id} has no results to download (it is unknown or not done)")
    return path


def run_job(
    database: Database,
    job_id: int,
    *,
    generate: Generate | None,
    flags: SharedFlags,
    owner: str,
    results_dir: Path,
    parallel: int = 8,
) -> JobProgress:
    """Grade every item not graded yet, then write the results file; safe to call again after a crash.

    Returns at once, with the job still queued or running, when another worker holds the job.
    """
    with flags.lease(_lease(job_id), owner, LEASE_TTL_S) as ours:
        if not ours:
            return job_progress(database, job_id)
        with database.transaction() as session:
            job = _job(session, job_id)
            finished = job.status in ("done", "cancelled")
            if not finished:
                job.status, job.started_at, job.error = "running", job.started_at or utcnow(), None
            parameters = job.parameters
            done = set(
                session.scalars(select(AssessmentItem.item_index).where(AssessmentItem.job_id == job_id))
            )
        if finished:
            return job_progress(database, job_id)
        todo = [i for i in range(_total(parameters)) if i not in done]
        try:
            if parameters["kind"] == GRADE:
                for index in todo:
                    _store(database, job_id, _grade(parameters["rows"][index], index))
            else:
                _evaluate(database, job_id, parameters, todo, generate, parallel)
        except Exception as error:
            _set_status(database, job_id, "failed", str(error))
            raise
        write_results(database, job_id, results_dir)
        _set_status(database, job_id, "done", None)
    return job_progress(database, job_id)


def write_results(database: Database, job_id: int, results_dir: Path) -> Path:
    """One JSON line per graded item, in item order: the downloadable result of the job.

    Results hold learners' answers, so only the server's user may read them (folder 0700, file 0600);
    the file appears whole or not at all.
    """
    path = results_path(results_dir, job_id)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    with database.transaction() as session:
        rows = _job(session, job_id).parameters["rows"]
        items = session.scalars(
            select(AssessmentItem).where(AssessmentItem.job_id == job_id).order_by(AssessmentItem.item_index)
        ).all()
        lines = [json.dumps(_result_row(item, rows)) for item in items]
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # created 0600
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write("".join(line + "\n" for line in lines))
    os.replace(partial, path)
    return path


# -- grading -----------------------------------------------------------------------------------
def decide(submitted: str, expected: str, form: str = "equivalent") -> bool | None:
    """Whether ``submitted`` is ``expected`` in the answer form asked for, checked in the batch pool; None
    when the check could not finish in ``CHECK_TRIES`` tries (the item then needs review)."""
    check = partial(check_answer, form=form)
    for _ in range(CHECK_TRIES):
        try:
            return checking.run(check, submitted, expected, pool_name=checking.BATCH).correct
        except DeadlineExceeded:
            continue
    return None


def _grade(row: dict[str, str], index: int) -> AssessmentItem:
    return AssessmentItem(
        item_index=index,
        question=row["problem"],
        expected=row["expected"],
        submitted=row["answer"],
        correct=decide(row["answer"], row["expected"], row.get("form") or "equivalent"),
    )


def _evaluate(
    database: Database,
    job_id: int,
    parameters: dict,
    todo: list[int],
    generate: Generate | None,
    parallel: int,
) -> None:
    if generate is None:
        raise RuntimeError(f"evaluating the model needs the model: {NO_MODEL}")
    warm_up_grading()
    samples = parameters["samples"]
    stopping = threading.Event()  # set on the first failure: the items not asked yet are left for the resume

    def ask(index: int) -> tuple[int, Generation, GenerationRequest] | None:
        if stopping.is_set():
            return None
        row = parameters["rows"][index // samples]
        request = GenerationRequest(
            messages=[
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": f"{row['problem']}\n\n{BOXED_INSTRUCTION}"},
            ],
            max_tokens=parameters["max_tokens"],
            temperature=parameters["temperature"],
            top_p=parameters["top_p"],
            seed=index,
            priority="batch",
            time_limit_s=3600,
        )
        try:
            return index, generate(request), request
        except BaseException:
            stopping.set()
            raise

    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix=f"job-{job_id}") as pool:
        for future in as_completed([pool.submit(ask, index) for index in todo]):
            if (answered := future.result()) is None:
                continue
            index, generation, request = answered
            try:
                row = parameters["rows"][index // samples]
                _store_answer(database, job_id, row, index, generation, request)
            except BaseException:  # e.g. the database went away: stop asking the model too
                stopping.set()
                raise


def _store_answer(
    database: Database,
    job_id: int,
    row: dict[str, str],
    index: int,
    generation: Generation,
    request: GenerationRequest,
) -> None:
    """Grade one sample by its final answer, as the field's evaluation tools do, and save it with the model
    request behind it. An output that cannot be graded in time, even on a second try, is stored as needing
    review (neither right nor wrong), and its request says so.
    """
    answer = extract_answer(generation.text)  # shown as the submitted answer; the grader reads the whole text
    try:
        correct: bool | None = _grade_with_one_retry(generation.text, row["answer"])
    except DeadlineExceeded:
        correct = None
    record = ModelRequest(
        purpose="assessment",
        status="done",
        prompt=json.dumps(request.messages),
        output=generation.text,
        verification=_verification(answer, correct),
        prompt_tokens=generation.prompt_tokens,
        output_tokens=generation.output_tokens,
        latency_ms=generation.latency_ms,
        finished_at=utcnow(),
    )
    item = AssessmentItem(
        item_index=index,
        question=row["problem"],
        expected=row["answer"],
        submitted=answer,
        correct=correct,
    )
    _store(database, job_id, item, record)


def _grade_with_one_retry(model_text: str, gold: str) -> bool:
    """grade_output, tried a second time when the first try ran out of time (a busy machine, a new worker)."""
    try:
        return grade_output(model_text, gold)
    except DeadlineExceeded:
        warm_up_grading()  # the process that ran out of time was replaced: load the new one first
        return grade_output(model_text, gold)


# -- storage -----------------------------------------------------------------------------------
def _create(database: Database, name: str, parameters: dict, total: int, created_by: int | None) -> int:
    with database.transaction() as session:
        job = AssessmentJob(name=name[:200], parameters=parameters, total_items=total, created_by=created_by)
        session.add(job)
        session.flush()
        return job.id


def _store(database: Database, job_id: int, item: AssessmentItem, record: ModelRequest | None = None) -> None:
    """Save one graded item; an item already saved (by an earlier run) is left as it was."""
    item.job_id = job_id
    try:
        with database.transaction() as session:
            if record is not None:
                session.add(record)
                session.flush()
                item.model_request_id = record.id
            session.add(item)
    except IntegrityError:
        pass  # graded already: the unique (job_id, item_index) keeps the first grade


def _set_status(database: Database, job_id: int, status: str, error: str | None) -> None:
    with database.transaction() as session:
        job = _job(session, job_id)
        job.status, job.error = status, error
        job.finished_at = utcnow() if status in ("done", "failed") else None


def _job(session, job_id: int) -> AssessmentJob:
    job = session.get(AssessmentJob, job_id)
    if job is None:
        raise JobInputError(f"there is no assessment job {job_id}")
    return job


def _total(parameters: dict) -> int:
    return len(parameters["rows"]) * parameters.get("samples", 1)


def _verification(answer: str | None, correct: bool | None) -> str:
    """How a model's answer was judged (the grader reads the whole output, so it may find an answer that
    ``extract_answer`` did not)."""
    if correct is None:
        return "needs_review"
    if correct:
        return "correct"
    return "no_answer" if answer is None else "incorrect"


def _lease(job_id: int) -> str:
    return f"job:{job_id}"


def _result_row(item: AssessmentItem, rows: list[dict[str, str]]) -> dict:
    row = {
        "index": item.item_index,
        "problem": item.question,
        "expected": item.expected,
        "submitted": item.submitted,
        "correct": item.correct,
        "needs_review": item.correct is None,
    }
    for column in ("learner", "form"):
        if column in rows[0]:
            row[column] = rows[item.item_index][column]
    return row
