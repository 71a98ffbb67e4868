"""The checking pool: CPU-time budgets, fair sharing, replacement, and children that die with their owner."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tutor.sandbox import BudgetExceeded, DeadlinePool, PoolBusy, WorkerLost


def burn(seconds: float) -> float:
    """Use ``seconds`` of CPU time and return how much was used."""
    started = time.process_time()
    while time.process_time() - started < seconds:
        pass
    return time.process_time() - started


def nap(seconds: float, tag: str = "") -> str:
    time.sleep(seconds)
    return tag


def stubborn() -> None:
    """Swallows every interruption, as careless library code might: only the kernel's limit stops it."""
    while True:
        with contextlib.suppress(BaseException):
            burn(10)


def crash() -> None:
    os._exit(3)


def fail() -> None:
    raise ValueError("a plain error from the check")


@pytest.fixture
def pool():
    running = DeadlinePool(2, per_key=1)
    running.warm()
    yield running
    running.close()


def test_waiting_and_sleeping_do_not_count_against_the_budget(pool: DeadlinePool) -> None:
    # 1.5 s of wall time but almost no CPU: well inside a 0.5 s CPU budget.
    assert pool.run(nap, (1.5, "done"), 0.5) == "done"


def test_a_check_that_spends_its_cpu_budget_decides_nothing_and_its_worker_stays(pool: DeadlinePool) -> None:
    before = set(pool.worker_pids())
    with pytest.raises(BudgetExceeded):
        pool.run(burn, (30.0,), 0.3)
    assert set(pool.worker_pids()) == before
    assert pool.run(burn, (0.05,), 1.0) >= 0.05


def test_queueing_for_a_process_is_not_part_of_the_budget() -> None:
    single = DeadlinePool(1, wait_seconds=30)
    single.warm()
    try:
        results: list[float] = []
        # Three checks of 0.4 s CPU each share one process: the last one waits about 0.8 s, which a
        # wall-clock deadline of 0.7 s would have counted; the CPU budget does not.
        threads = [threading.Thread(target=lambda: results.append(single.run(burn, (0.4,), 0.7)))
                   for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(results) == 3
    finally:
        single.close()


def test_a_check_that_finds_no_free_process_in_time_is_refused_not_judged() -> None:
    single = DeadlinePool(1, wait_seconds=0.2)
    single.warm()
    try:
        holder = threading.Thread(target=single.run, args=(nap, (2.0,), 1.0))
        holder.start()
        time.sleep(0.3)
        with pytest.raises(PoolBusy):
            single.run(nap, (0.0,), 1.0)
        holder.join()
    finally:
        single.close()


def test_one_key_cannot_take_more_than_its_share(pool: DeadlinePool) -> None:
    finished: list[str] = []

    def call(key: str, tag: str) -> None:
        finished.append(pool.run(nap, (1.0, tag), 1.0, key=key))

    greedy = [threading.Thread(target=call, args=("greedy", f"greedy{n}")) for n in range(4)]
    for thread in greedy:
        thread.start()
    time.sleep(0.2)
    call("other", "other")  # gets the second process at once, not after the greedy key's queue
    assert finished.index("other") <= 1
    for thread in greedy:
        thread.join()
    assert sorted(finished) == ["greedy0", "greedy1", "greedy2", "greedy3", "other"]


def test_the_kernel_ends_a_check_that_ignores_its_budget_and_it_is_replaced(pool: DeadlinePool) -> None:
    with pytest.raises(BudgetExceeded):
        pool.run(stubborn, (), 0.2)
    pool.warm()
    assert len(pool.worker_pids()) == 2
    assert pool.run(nap, (0.0, "fresh"), 1.0) == "fresh"


def test_a_crashed_worker_is_reported_and_replaced(pool: DeadlinePool) -> None:
    with pytest.raises(WorkerLost):
        pool.run(crash, (), 1.0)
    with pytest.raises(ValueError, match="plain error"):
        pool.run(fail, (), 1.0)
    assert pool.run(nap, (0.0, "ok"), 1.0) == "ok"


OWNER = """
import sys, threading
sys.path[:0] = {paths!r}
from test_sandbox import burn
from tutor.sandbox import DeadlinePool

if __name__ == "__main__":
    pool = DeadlinePool(2)
    pool.warm()
    threading.Thread(target=pool.run, args=(burn, (600.0,), 600.0), daemon=True).start()
    print(" ".join(map(str, pool.worker_pids())), flush=True)
    threading.Event().wait()
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_checking_processes_die_when_their_owner_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    paths = [str(Path(__file__).parent), str(Path.cwd()), *sys.path]
    script.write_text(textwrap.dedent(OWNER.format(paths=paths)))
    owner = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(pid) for pid in owner.stdout.readline().split()]
        assert len(pids) == 2 and all(_alive(pid) for pid in pids)
        time.sleep(0.5)  # one of them is now burning CPU on a 600 s check
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids), "a checking process outlived its owner"
