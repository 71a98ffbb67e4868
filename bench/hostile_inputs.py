"""Hostile inputs at volume: many more random and adversarial inputs than the CI tests in tests/hostile/.

Run: ``.venv/bin/python bench/hostile_inputs.py --examples 2000`` (about 15 minutes on 2 cores, more
with the Gradio event calls, which run step checks through the app).
Every pure entry point that takes text or files gets the adversarial corpus plus ``--examples`` generated
inputs. An input passes when it gives a result or the entry point's own clear error, within its time
bound, and no input may run code (a canary file). The Gradio pages' event calls get forged payloads
(FileData paths, other pages' event numbers, oversized and hostile data) through the real app: none
may answer 5xx or hand back a file. Writes bench/results/hostile_inputs.json and .md.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.hostile.corpus import CANARY, PWNED, all_strings  # noqa: E402
from tests.hostile.strategies import ANY_INPUT, NEAR_VALID_MATH  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TINY_MODEL = ROOT.parent / "shared" / "fixtures" / "sambay-tiny"
CHECK_SECONDS = 1.0


class Target:
    """One entry point: ``call(input)`` returns an outcome name or raises; ``refusal`` is its clear error."""

    def __init__(self, name: str, call: Callable[[Any], str], refusal: tuple[type[Exception], ...],
                 strategy: st.SearchStrategy, bound: float, corpus: list[Any],
                 clock: Callable[[], float] = time.perf_counter) -> None:  # fmt: skip
        self.name, self.call, self.refusal = name, call, refusal
        self.strategy, self.bound, self.corpus = strategy, bound, corpus
        self.clock = clock  # what the bound is measured in: wall time, or CPU time for budgeted checks
        self.outcomes: Counter[str] = Counter()
        self.failures: list[dict[str, str]] = []
        self.slowest = 0.0

    def try_one(self, value: Any) -> None:
        started = self.clock()
        try:
            outcome = self.call(value)
        except self.refusal as error:
            outcome = "refused" if str(error).strip() else "refused without a message"
        except BaseException as error:  # a crash of any kind is what this counts, panics included
            outcome = "crash"
            self.failures.append({"input": repr(value)[:300], "error": f"{type(error).__name__}: {error}"})
        elapsed = self.clock() - started
        self.slowest = max(self.slowest, elapsed)
        if elapsed > self.bound:
            self.failures.append({"input": repr(value)[:300], "error": f"took {elapsed:.1f} s"})
        self.outcomes[outcome] += 1

    def run(self, examples: int, seed_value: int) -> None:
        for value in self.corpus:
            self.try_one(value)
        profile = settings(max_examples=examples, deadline=None, database=None,
                           suppress_health_check=list(HealthCheck))  # fmt: skip
        seed(seed_value)(profile(given(self.strategy)(self.try_one)))()

    def report(self) -> dict[str, Any]:
        return {
            "tried": sum(self.outcomes.values()),
            "outcomes": dict(self.outcomes),
            "slowest_s": round(self.slowest, 3),
            "bound_s": self.bound,
            "failures": [{**f, "error": f["error"][:300]} for f in self.failures[:20]],
        }


def text_targets() -> list[Target]:
    from tutor import checking
    from tutor.answers import extract_answer, normalise_answer
    from tutor.grading import DeadlineExceeded, grade_output
    from tutor.parse import MathSyntaxError, parse_math, to_latex
    from tutor.verify import check_answer, check_step

    def parse(text: str) -> str:
        to_latex(parse_math(text))
        return "parsed"

    def answers(text: str) -> str:
        extract_answer(text)
        normalise_answer(text)
        return "read"

    def step(pair: tuple[str, str]) -> str:
        return check_step(*pair, seconds=CHECK_SECONDS).status

    def answer(pair: tuple[str, str]) -> str:
        return "correct" if check_answer(*pair, seconds=CHECK_SECONDS).correct else "not correct"

    def grade(pair: tuple[str, str]) -> str:
        try:
            return "correct" if grade_output(*pair, seconds=CHECK_SECONDS) else "not correct"
        except DeadlineExceeded:
            return "out of time"

    def cpu_used() -> float:
        """The caller's CPU time plus the checking processes': a check's budget is CPU time, so a busy
        machine (which only stretches the wall time) must not count as an overrun."""
        return time.process_time() + checking.pool().cpu_seconds()

    corpus = all_strings()
    bound = CHECK_SECONDS + 2  # CPU seconds: parsing in the caller, the timer's granularity, the reply
    pairs = st.tuples(st.one_of(NEAR_VALID_MATH, ANY_INPUT), NEAR_VALID_MATH)
    # model output: the corpus and generated text as the whole output, boxed, and as the gold answer
    frames = st.sampled_from(["{}", "\\boxed{{{}}}", "The answer is ${}$.", "Reasoning...\n\\[{}\\]"])
    outputs = st.tuples(st.one_of(NEAR_VALID_MATH, ANY_INPUT), frames).map(lambda p: (p[1].format(p[0]), "2"))
    graded_corpus = [(t, "2") for t in corpus] + [(f"\\boxed{{{t}}}", "2") for t in corpus]
    graded_corpus += [("\\boxed{2}", t) for t in corpus]
    return [
        Target("parse_math", parse, (MathSyntaxError,), ANY_INPUT, 2.0, corpus),
        Target("extract_answer", answers, (), st.lists(ANY_INPUT, max_size=6).map("".join), 2.0, corpus),
        Target("check_step", step, (MathSyntaxError,), pairs, bound, [(t, "x = 2") for t in corpus],
               clock=cpu_used),
        Target("check_answer", answer, (MathSyntaxError,), pairs, bound, [(t, "2") for t in corpus],
               clock=cpu_used),
        Target("grade_output", grade, (), outputs, bound, graded_corpus),
    ]


def tokenizer_target() -> Target:
    from model.tokenizer import PHI4_ADDED_TOKENS, TokenizerError, load_tokenizer

    tokenizer = load_tokenizer()
    control_ids = {token.id for token in PHI4_ADDED_TOKENS}

    def chat(content: str) -> str:
        ids = tokenizer.apply_chat_template([{"role": "user", "content": content}])
        if sum(i in control_ids for i in ids) != 3:
            raise AssertionError("message text became a control token")
        return "encoded"

    pieces = st.sampled_from([t.text for t in PHI4_ADDED_TOKENS] + ["<|", "|>", "\ud800", " " * 5000])
    strategy = st.lists(st.one_of(ANY_INPUT, pieces), max_size=8).map("".join)
    return Target("tokenizer chat template", chat, (TokenizerError,), strategy, 10.0, all_strings())


def roster_target(workdir: Path) -> Target:
    from app.db import Database
    from app.roster import RosterError, import_roster
    from app.services import classes, users
    from app.services.errors import InvalidInput

    db = Database(f"sqlite:///{workdir / 'roster.db'}")
    db.upgrade()
    teacher = users.create_user(db, username="teach", display_name="T", role="teacher", password="password1")
    class_id = classes.create_class(db, teacher_id=teacher.id, name="A").id

    def roster(text: str) -> str:
        before = len(users.list_users(db))
        try:
            result = import_roster(db, class_id=class_id, csv_text=text)
        except (RosterError, InvalidInput):
            if len(users.list_users(db)) != before:
                raise AssertionError("a refused roster created accounts") from None
            raise
        return "imported" if result.created or result.enrolled else "nothing to import"

    pieces = st.sampled_from(["username", "display_name", "password", ",", "\n", '"', "ada", "bo", "\x00"])
    strategy = st.lists(st.one_of(pieces, st.text(max_size=8)), max_size=16).map("".join)
    return Target("import_roster", roster, (RosterError, InvalidInput), strategy, 10.0, [])


def checkpoint_target(workdir: Path) -> Target:
    from model import CheckpointError, load_model

    weights = (TINY_MODEL / "model.safetensors").read_bytes()

    def load(change: tuple[int, int, bytes]) -> str:
        cut, at, junk = change
        folder = Path(tempfile.mkdtemp(dir=workdir))
        shutil.copy(TINY_MODEL / "config.json", folder / "config.json")
        data = bytearray(weights[: cut % (len(weights) + 1)])
        data[at % 4096 : at % 4096 + len(junk)] = junk
        (folder / "model.safetensors").write_bytes(bytes(data))
        try:
            load_model(folder)
        finally:
            shutil.rmtree(folder)
        return "loaded"

    strategy = st.tuples(st.integers(0, 2 * len(weights)), st.integers(0, 10**6), st.binary(max_size=64))
    return Target("load_model", load, (CheckpointError,), strategy, 20.0, [])


def gradio_events_target(workdir: Path, stack: ExitStack) -> Target:
    """Forged Gradio event calls to the real app, each page called by its own role (issue 12)."""
    from fastapi.testclient import TestClient

    from app.db import Database
    from app.services import classes, users
    from app.settings import Settings
    from app.web.factory import create_app
    from tests.access.forged import Page, copies_in_gradio_folder, file_data

    database_url = f"sqlite:///{workdir / 'app.db'}"
    settings = Settings(data_dir=workdir / "app", database_url=database_url, device="cpu")
    db = Database(settings.resolved_database_url)
    db.upgrade()
    owners = {"/student": "ada", "/teacher": "tess", "/admin": "root"}
    ids = {name: users.create_user(db, username=name, display_name=name, role=role, password="password1").id
           for name, role in zip(owners.values(), ("student", "teacher", "admin"), strict=True)}  # fmt: skip
    classes.enroll_student(db, class_id=classes.create_class(db, teacher_id=ids["tess"], name="A").id,
                           student_id=ids["ada"])  # fmt: skip
    secret = f"NOT-FOR-USERS-{time.time_ns()}"
    canary = workdir / "canary-secret.csv"
    canary.write_text(f"username,password\nzed,{secret}\n")
    client = stack.enter_context(TestClient(create_app(settings, db=db), base_url="https://testserver"))

    def login(name: str) -> dict[str, str]:
        token = client.post("/api/login", json={"username": name, "password": "password1"}).json()["token"]
        return {"Authorization": f"Bearer {token}"}

    pages = {path: Page(client, path, login(name)) for path, name in owners.items()}
    events = {path: page.config()["dependencies"] for path, page in pages.items()}

    def call(payload: tuple[str, int, list[Any]]) -> str:
        path, fn_index, data = payload
        event = pages[path].call(fn_index, data)
        if event.status >= 500 or secret in event.raw or copies_in_gradio_folder(canary.name):
            raise AssertionError(f"status {event.status}, or the canary came back: {event.raw[-300:]}")
        if event.status != 200:
            return f"refused ({event.status})"
        if event.error is None:
            return "answered"
        if not event.error.strip():
            raise AssertionError("an event failed without a message")
        return "refused in the event"

    forged_file = file_data(canary)
    forged_chat = [{"role": "user", "content": [{"type": "file", "file": forged_file}]}]
    oversized = "x=" * 150_000
    corpus = [
        (path, event["id"], [value] * len(event["inputs"]))
        for path in pages
        for event in events[path]
        for value in (forged_file, forged_chat, oversized)
    ]
    every_index = max(event["id"] for found in events.values() for event in found)
    keys = st.sampled_from(["path", "url", "meta", "value"])
    values = st.one_of(st.none(), ANY_INPUT, st.integers(), st.just(forged_file), st.just(forged_chat),
                       st.just(oversized), st.lists(st.just(forged_file), max_size=3),
                       st.dictionaries(keys, st.just(forged_file)))  # fmt: skip
    fn_indices = st.integers(-2, every_index + 3)  # other pages' event numbers, and ones no page has
    strategy = st.tuples(st.sampled_from(list(pages)), fn_indices, st.lists(values, max_size=8))
    return Target("gradio event calls", call, (), strategy, 30.0, corpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="generated inputs per entry point")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from tutor.verify import warm_up

    warm_up()
    CANARY.unlink(missing_ok=True)
    PWNED.unlink(missing_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir, ExitStack() as stack:
        folder = Path(workdir)
        targets = [*text_targets(), tokenizer_target(), roster_target(folder), checkpoint_target(folder),
                   gradio_events_target(folder, stack)]  # fmt: skip
        for target in targets:
            print(f"{target.name} ...", flush=True)
            target.run(args.examples, args.seed)
    report = {
        "command": "python bench/hostile_inputs.py " + shlex.join(sys.argv[1:]),
        "examples_per_entry_point": args.examples,
        "seed": args.seed,
        "seconds": round(time.perf_counter() - started, 1),
        "code_ran": CANARY.exists() or PWNED.exists(),
        "entry_points": {target.name: target.report() for target in targets},
    }
    report["tried"] = sum(entry["tried"] for entry in report["entry_points"].values())
    report["failures"] = sum(len(entry["failures"]) for entry in report["entry_points"].values())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "hostile_inputs.json").write_text(json.dumps(report, indent=2, ensure_ascii=True) + "\n")
    (RESULTS / "hostile_inputs.md").write_text(markdown(report))
    print(markdown(report))
    sys.exit(1 if report["failures"] or report["code_ran"] else 0)


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Hostile inputs: {report['tried']} tried, {report['failures']} failures",
        "",
        f"Produced by `{report['command']}` in {report['seconds']} s (seed {report['seed']}). "
        "Each entry point gets the adversarial corpus of tests/hostile/corpus.py plus generated inputs; "
        "a failure is any other exception, a missing message or a call over its time bound (wall time, "
        "except for check_step and check_answer, whose budget and bound are CPU time: the caller's plus "
        "the checking processes').",
        f"Code execution (canary file created): {'YES' if report['code_ran'] else 'no'}.",
        "",
        "| entry point | inputs tried | outcomes | slowest (bound) | failures |",
        "|---|---|---|---|---|",
    ]
    for name, entry in report["entry_points"].items():
        outcomes = ", ".join(f"{kind} {count}" for kind, count in sorted(entry["outcomes"].items()))
        timing = f"{entry['slowest_s']} s ({entry['bound_s']} s)"
        lines.append(f"| {name} | {entry['tried']} | {outcomes} | {timing} | {len(entry['failures'])} |")
    for name, entry in report["entry_points"].items():
        for failure in entry["failures"]:
            lines.append(f"\n- {name}: `{failure['input'][:120]}` → {failure['error'][:200]}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
