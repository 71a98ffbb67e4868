"""A school day in minutes: N learners at once work full tutoring sessions over HTTP against a real stack.

The stack is PostgreSQL (a scratch database), a private Redis as the Celery broker, one Celery worker
with the tiny fixture model and the web server, all as subprocesses on this machine. Each learner signs
in, starts a session and, per problem: submits a wrong step, asks for a hint, submits the solution's
steps (the first one twice with the same ``client_request_id``, as a retrying browser would), finishes,
and once per session asks the model for a short completion. Afterwards the steps in the database are
compared with the steps the server acknowledged: none may be missing and none doubled.

Without ``--think`` every learner acts as fast as the server answers: a stress test, far harsher than
a class. With ``--think 5 30`` each learner pauses a random 5-30 s before every action, as real
learners read, think and type; ``--capacity 50,100,200,400`` then runs those class sizes one after
another on the same stack and reports the largest whose step checks keep p95 under 1 s.

    .venv/bin/python bench/load.py --learners 200
    .venv/bin/python bench/load.py --learners 200 --think 5 30 --capacity 50,100,200,400 --problems 1

Writes ``bench/results/load_<N>.json`` and ``.md`` (``load_capacity.*`` for a capacity run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import select
from stack import RedisServer, Stack, free_port, scratch_database, wait_for

from app.db import Database
from app.models import Attempt, StepRecord, User
from app.services.users import create_user
from app.services.web_queries import attempt_problem
from tutor.solver import solve

ROOT = Path(__file__).resolve().parent.parent
TINY_MODEL = ROOT.parent / "shared" / "fixtures" / "sambay-tiny"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "load-test-password"
WRONG_STEP = "x = 123456"
STEP_P95_TARGET_MS = 1000.0


class Recorder:
    """Latencies per kind of request, and failures by kind and status; safe across threads."""

    def __init__(self) -> None:
        self.latency_ms: dict[str, list[float]] = defaultdict(list)
        self.failures: Counter[str] = Counter()
        self.acknowledged: set[tuple[int, str]] = set()  # (attempt, client_request_id) answered with 200
        self.duplicates_recognised = 0
        self._lock = threading.Lock()

    def call(self, http: httpx.Client, kind: str, method: str, url: str, **kwargs) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = http.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            with self._lock:
                self.failures[f"{kind}: {type(error).__name__}"] += 1
            return None
        elapsed = (time.perf_counter() - started) * 1000
        with self._lock:
            if response.status_code == 200:
                self.latency_ms[kind].append(elapsed)
            else:
                self.failures[f"{kind}: HTTP {response.status_code}"] += 1
        return response if response.status_code == 200 else None

    def acknowledge(self, attempt_id: int, request_id: str, duplicate: bool) -> None:
        with self._lock:
            self.acknowledged.add((attempt_id, request_id))
            self.duplicates_recognised += duplicate


class Pauses:
    """A learner's thinking time before each action: uniform in [low, high] seconds (none for 0, 0)."""

    def __init__(self, low: float, high: float, seed: str) -> None:
        self.low, self.high = low, high
        self._random = random.Random(seed)

    def __call__(self) -> None:
        if self.high > 0:
            time.sleep(self._random.uniform(self.low, self.high))


def learner_day(
    base_url: str, username: str, problems: int, db: Database, record: Recorder, think: tuple[float, float]
) -> None:
    """One learner's session, as a browser would drive it over the JSON API, pausing before each action."""
    pause = Pauses(*think, seed=username)
    with httpx.Client(base_url=base_url, timeout=120) as http:
        credentials = {"username": username, "password": PASSWORD}
        pause()
        login = record.call(http, "login", "POST", "/api/login", json=credentials)
        if login is None:
            return
        http.headers["Authorization"] = f"Bearer {login.json()['token']}"
        user_id = login.json()["user"]["id"]
        pause()
        session = record.call(http, "start session", "POST", "/api/sessions", json={})
        if session is None:
            return
        for _ in range(problems):
            pause()
            problem = record.call(http, "next problem", "POST", f"/api/sessions/{session.json()['id']}/next")
            if problem is None:
                return
            attempt_id = problem.json()["attempt_id"]
            tutor_problem, _ = attempt_problem(db, user_id=user_id, attempt_id=attempt_id)
            steps = [WRONG_STEP] + [step.after for step in solve(tutor_problem)]
            for index, text in enumerate(steps):
                if index == 1:
                    pause()
                    record.call(http, "hint", "POST", f"/api/attempts/{attempt_id}/hint")
                body = {"text": text, "client_request_id": uuid.uuid4().hex, "time_taken_ms": 4000}
                pause()
                for _retry in range(2 if index == 1 else 1):  # a retrying browser resends at once
                    url = f"/api/attempts/{attempt_id}/steps"
                    step = record.call(http, "step check", "POST", url, json=body)
                    if step is not None:
                        record.acknowledge(attempt_id, body["client_request_id"], step.json()["duplicate"])
            pause()
            record.call(http, "finish", "POST", f"/api/attempts/{attempt_id}/finish")
        completion = {"prompt": [1, 2, 3, 4, 5], "max_tokens": 8, "temperature": 0}
        pause()
        record.call(http, "model completion", "POST", "/v1/completions", json=completion)


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(values), "p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1),
            "max_ms": round(ordered[-1], 1)}  # fmt: skip


def stored_steps(db: Database, usernames: list[str]) -> list[tuple[int, str]]:
    query = (
        select(StepRecord.attempt_id, StepRecord.client_request_id)
        .join(Attempt, Attempt.id == StepRecord.attempt_id)
        .join(User, User.id == Attempt.user_id)
        .where(User.username.in_(usernames))
    )
    with db.transaction() as session:
        return [tuple(row) for row in session.execute(query)]


def run(
    classes: list[int], problems: int, postgres: str, model_path: Path, think: tuple[float, float]
) -> list[dict]:
    """Each class size in turn on one stack, each with its own learners; one result per size."""
    redis = RedisServer()
    redis.start()
    results = []
    with tempfile.TemporaryDirectory(prefix="flashtutor-load-") as tmp, scratch_database(postgres) as url:
        stack = Stack(Path(tmp), url, redis.url)
        db = Database(url)
        try:
            stack.migrate()
            groups = [[f"c{n}-learner{i:03d}" for i in range(size)] for n, size in enumerate(classes)]
            everyone = [name for group in groups for name in group]
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda name: create_user(db, username=name, display_name=name, role="student",
                                                       password=PASSWORD), everyone))  # fmt: skip
            stack.start_worker(model_path, concurrency=32, slots=16)
            port = free_port()
            web = stack.start_web(port, FLASHTUTOR_MODEL_REQUESTS_PER_MINUTE="6000")
            base_url = f"http://127.0.0.1:{port}"

            create_user(db, username="load-admin", display_name="Admin", role="admin", password=PASSWORD)

            def has_worker() -> bool:  # the worker count is on the admins' status route, not public /ready
                admin = {"username": "load-admin", "password": PASSWORD}
                token = httpx.post(f"{base_url}/api/login", json=admin, timeout=5).json()["token"]
                headers = {"Authorization": f"Bearer {token}"}
                status = httpx.get(f"{base_url}/api/admin/status", headers=headers, timeout=5).json()
                return isinstance(status.get("model_workers"), int) and status["model_workers"] >= 1

            try:
                wait_for(has_worker, timeout_s=180, what="the web server and a model worker")
            except TimeoutError:
                print(web.log()[-3000:], file=sys.stderr)
                raise
            for usernames in groups:
                results.append(one_class(base_url, usernames, problems, db, think))
                print(f"{len(usernames)} learners: step check {results[-1]['latency'].get('step check')}",
                      file=sys.stderr, flush=True)  # fmt: skip
        finally:
            db.dispose()
            stack.stop()
            redis.stop()
    return results


def one_class(
    base_url: str, usernames: list[str], problems: int, db: Database, think: tuple[float, float]
) -> dict:
    """Every learner of the class works their session at once; latencies, errors and the step audit."""
    record = Recorder()
    started = time.perf_counter()
    with ThreadPoolExecutor(len(usernames)) as pool:
        list(pool.map(lambda name: learner_day(base_url, name, problems, db, record, think), usernames))
    wall_s = time.perf_counter() - started
    stored = stored_steps(db, usernames)
    unique = set(stored)
    return {
        "learners": len(usernames),
        "problems_per_learner": problems,
        "think_s": list(think),
        "wall_s": round(wall_s, 1),
        "latency": {kind: percentiles(values) for kind, values in sorted(record.latency_ms.items())},
        "errors": dict(sorted(record.failures.items())),
        "error_count": sum(record.failures.values()),
        "steps": {
            "acknowledged": len(record.acknowledged),
            "stored": len(stored),
            "missing": len(record.acknowledged - unique),
            "doubled": len(stored) - len(unique),
            "retries_recognised_as_duplicates": record.duplicates_recognised,
        },
    }


def capacity(results: list[dict]) -> int | None:
    """The largest class whose step checks kept p95 under the target, with no failed step checks."""
    fine = [
        r["learners"] for r in results
        if r["latency"].get("step check", {}).get("p95_ms", float("inf")) < STEP_P95_TARGET_MS
        and not any(kind.startswith("step check") for kind in r["errors"])
    ]  # fmt: skip
    return max(fine) if fine else None


def markdown(result: dict) -> str:
    think = result.get("think_s", [0, 0])
    pace = f"pausing {think[0]:g}-{think[1]:g} s before every action" if think[1] else "no pauses (stress)"
    lines = [
        f"# Load: {result['learners']} learners at once, {pace}",
        "",
        f"Command: `{result['command']}`  ",
        f"Device: {result['device']}  ",
        f"Stack: {result['stack']}  ",
        *details(result),
    ]
    return "\n".join(lines)


def details(result: dict) -> list[str]:
    """One run's latency table, errors and step audit, as Markdown lines."""
    lines = [
        f"Wall time of the run: {result['wall_s']} s, {result['problems_per_learner']} problems per learner.",
        "",
        "| request | n | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
    ]
    for kind, stats in result["latency"].items():
        lines.append(f"| {kind} | {stats['n']} | {stats.get('p50_ms', '')} | {stats.get('p95_ms', '')} | "
                     f"{stats.get('max_ms', '')} |")  # fmt: skip
    steps = result["steps"]
    lines += [
        "",
        f"Errors: {result['error_count']}" + "".join(f"\n- {k}: {v}" for k, v in result["errors"].items()),
        "",
        f"Steps acknowledged by the server: {steps['acknowledged']}; in the database: {steps['stored']}; "
        f"missing: {steps['missing']}; doubled: {steps['doubled']}; retries answered as duplicates: "
        f"{steps['retries_recognised_as_duplicates']}.",
        "",
    ]
    return lines


def capacity_markdown(results: list[dict], stress: dict | None, command: str, load: list[float]) -> str:
    think = results[0]["think_s"]
    largest = capacity(results)
    tried = ", ".join(str(r["learners"]) for r in results)
    lines = [
        f"# Load: how many learners, pausing {think[0]:g}-{think[1]:g} s before every action like real ones",
        "",
        f"Command: `{command}`  ",
        f"Device: {platform.machine()} CPU only, {os.cpu_count()} cores, shared at the time with other "
        f"engineers' test runs (1-minute load average {load[0]:.1f} when the run started, {load[1]:.1f} when "
        "it ended), so these figures are lower bounds for a machine of this size.  ",
        "Stack: uvicorn (1 process) + PostgreSQL + private redis-server + 1 Celery worker (tiny model)",
        "",
        f"**Largest class tried whose step checks kept p95 under {STEP_P95_TARGET_MS:g} ms: "
        f"{largest if largest is not None else 'none'}** (tried: {tried}).",
        "",
        "| learners | wall s | step checks | p50 ms | p95 ms | max ms | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in ([stress] if stress else []) + results:
        steps = r["latency"].get("step check", {})
        label = f"{r['learners']} (no pauses: stress)" if r is stress else str(r["learners"])
        lines.append(f"| {label} | {r['wall_s']} | {steps.get('n', 0)} | {steps.get('p50_ms', '')} | "
                     f"{steps.get('p95_ms', '')} | {steps.get('max_ms', '')} | "
                     f"{r['error_count']} |")  # fmt: skip
    for r in ([stress] if stress else []) + results:
        lines += ["", f"## {r['learners']} learners" + (" without pauses" if r is stress else ""), ""]
        lines += details(r)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--problems", type=int, default=2, help="problems per learner")
    parser.add_argument("--think", type=float, nargs=2, default=(0.0, 0.0), metavar=("MIN", "MAX"),
                        help="seconds a learner pauses before each action, drawn uniformly (default: none)")
    parser.add_argument("--capacity", default=None, metavar="N,N,...",
                        help="class sizes to run in turn with --think; also runs --learners without pauses")
    parser.add_argument("--postgres", default=POSTGRES, help="a server URL; a scratch database is made there")
    parser.add_argument("--model", type=Path, default=TINY_MODEL)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    if args.learners < 1 or args.problems < 1:
        parser.error("--learners and --problems must be at least 1")
    low, high = args.think
    if not 0 <= low <= high:
        parser.error("--think needs 0 <= MIN <= MAX")
    args.out.mkdir(parents=True, exist_ok=True)
    command = " ".join(["python bench/load.py", *sys.argv[1:]])
    if args.capacity:
        sizes = sorted({int(size) for size in args.capacity.split(",")})
        if not high or min(sizes) < 1:
            parser.error("--capacity needs class sizes of at least 1 and --think MIN MAX")
        load = [os.getloadavg()[0]]
        results = run(sizes, args.problems, args.postgres, args.model, (low, high))
        [stress] = run([args.learners], args.problems, args.postgres, args.model, (0.0, 0.0))
        load.append(os.getloadavg()[0])
        summary = {"command": command, "target_step_p95_ms": STEP_P95_TARGET_MS, "load_average": load,
                   "capacity": capacity(results), "classes": results, "stress": stress}  # fmt: skip
        (args.out / "load_capacity.json").write_text(json.dumps(summary, indent=2) + "\n")
        text = capacity_markdown(results, stress, command, load)
        (args.out / "load_capacity.md").write_text(text)
        print(text)
        return
    [result] = run([args.learners], args.problems, args.postgres, args.model, (low, high))
    result["command"] = command
    result["device"] = f"{platform.machine()} CPU only, 2 cores shared with other work"
    result["stack"] = "uvicorn (1 process) + PostgreSQL + private redis-server + 1 Celery worker (tiny model)"
    stem = args.out / f"load_{args.learners}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(result))
    print(markdown(result))


if __name__ == "__main__":
    main()
