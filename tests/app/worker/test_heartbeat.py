"""A worker's heartbeat is a typed record: what the host publishes is what the admin page shows."""

from __future__ import annotations

from app.contract import WorkerHeartbeat
from app.web.ui.admin import thinking_note, workers_frame
from app.worker.client import WorkerClient
from app.worker.flags import MemoryFlags
from app.worker.streams import MemoryStreams


def test_the_admin_page_shows_the_tokens_per_second_a_worker_reports() -> None:
    flags = MemoryFlags()
    beat = WorkerHeartbeat(
        name="gpu-0", running=3, waiting=1, slots=16, tokens_per_second=42.5, tokens_generated=900,
        peak_running=5, in_flight={"interactive": 3, "batch": 1},
    )  # fmt: skip
    flags.put("worker:gpu-0", beat.to_json(), 30)
    client = WorkerClient(lambda *_: None, MemoryStreams(), flags)
    assert client.workers() == [beat]
    row = workers_frame(client).iloc[0].tolist()
    assert row == ["gpu-0", 3, 1, 16, 42.5]


def test_a_newer_workers_extra_fields_are_ignored() -> None:
    text = WorkerHeartbeat("w", 0, 0, 4, 1.0, 0, 0).to_json().replace("{", '{"gpu_temperature": 61, ', 1)
    assert WorkerHeartbeat.from_json(text).slots == 4


def test_the_admin_page_says_how_much_reasoning_a_learner_reply_gets_at_the_measured_speed() -> None:
    busy = WorkerHeartbeat("gpu-0", running=4, waiting=0, slots=16, tokens_per_second=80.0,
                           tokens_generated=1, peak_running=4)  # fmt: skip
    assert "about 120 tokens at the 20.0 tokens/s" in thinking_note(6.0, [busy])
    assert thinking_note(6.0, []) == "Learner replies may reason for 6 s (FLASHTUTOR_HINT_THINKING_S)."
