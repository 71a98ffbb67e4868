"""Issue 12, items 1, 2, 3 and 5, replayed against the app: files through forged Gradio calls.

Each test forges the HTTP calls an attacker made (``queue/join`` + ``queue/data``, ``call/``, ``run/``,
``upload``, ``file=``) with a canary file outside Gradio's upload folder, and checks that its content
never comes back, that no copy of it lands in Gradio's folder, and that the refusal says why. The
normal use of the same routes (a real upload, the download buttons) is checked to still work.
"""

from __future__ import annotations

import json
import stat
import tempfile
import uuid
from pathlib import Path

import pytest

from app.services import assessment
from app.web.gradio_files import ENVELOPE_BYTES, NO_UPLOADS, NOT_SERVED, QUEUE_ONLY
from app.worker.flags import MemoryFlags
from tests.access.forged import Page, copies_in_gradio_folder, file_data

OWNER = {"/student": "ada", "/teacher": "tess", "/admin": "root"}
REFUSED_PATH = "not uploaded by a user"  # Gradio's words when a FileData path is outside its upload folder


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    """A file the server can read but no user may: its content must never come back."""
    secret = tmp_path / f"canary-{uuid.uuid4().hex}.csv"
    secret.write_text(f"username,display_name,password\nzed,Zed,{secret.stem}-PASSWORD\n")
    return secret


def page_as_owner(world, path: str) -> Page:
    return Page(world.client, path, world.headers(OWNER[path]))


def assert_not_leaked(canary: Path, *answers: str) -> None:
    secret = canary.read_text().split(",")[-1].strip()
    for answer in answers:
        assert secret not in answer
    assert copies_in_gradio_folder(canary.name) == []


def test_the_tutor_chat_cannot_be_handed_a_file(world, canary: Path) -> None:
    """Item 1: "explain my last step" with a chat history naming a file, as the attacker sent it."""
    page = page_as_owner(world, "/student")
    assert page.call(page.fn_index("on_next"), [None, None, "adaptive"]).error is None
    assert page.call(page.fn_index("on_step"), [None, "x = 1", None]).error is None
    forged_history = [{"role": "user", "content": [{"type": "file", "file": file_data(canary)}]}]

    explained = page.call(page.fn_index("on_explain"), [None, forged_history])
    assert explained.error is None  # the history is the server's: what the browser sends is not read
    chat = explained.completed["output"]["data"][0]
    assert [m["role"] for m in chat] == ["user", "assistant"]
    assert all(part["type"] == "text" for m in chat for part in m["content"])

    asked = page.call(page.fn_index("on_ask"), [None, file_data(canary), forged_history])
    assert REFUSED_PATH in asked.error
    assert_not_leaked(canary, explained.raw, asked.raw)

    question = page.call(page.fn_index("on_ask"), [None, "Why that step?", forged_history])
    assert question.error is None
    shown = json.dumps(question.messages)
    assert "Explain my step" in shown and "Why that step?" in shown  # the server remembered the turn


@pytest.mark.parametrize("path", OWNER)
def test_no_event_on_any_page_takes_a_file_from_outside_the_upload_folder(world, canary, path) -> None:
    """Items 1 and 2 for every event of every page: a FileData path in each input is refused."""
    page = page_as_owner(world, path)
    config = page.config()
    kinds = {component["id"]: component["type"] for component in config["components"]}
    refused = []
    for dependency in config["dependencies"]:
        inputs = dependency["inputs"]
        event = page.call(dependency["id"], [file_data(canary)] * len(inputs))
        assert event.status < 500, event.raw
        assert_not_leaked(canary, event.raw)
        if any(kinds[i] != "state" for i in inputs):
            assert REFUSED_PATH in (event.error or ""), (path, dependency["api_name"], event.raw[-500:])
            refused.append(dependency["api_name"])
    assert len(refused) >= 3, refused


def test_a_teacher_cannot_read_another_csv_through_the_roster_upload(world, canary: Path) -> None:
    """Item 2, through all three of Gradio's doors; a real upload still reads, and is then deleted."""
    page = page_as_owner(world, "/teacher")
    forged = page.call(page.fn_index("read_roster_file"), [file_data(canary)])
    assert REFUSED_PATH in forged.error
    api, forged_body = "/teacher/gradio_api", {"data": [file_data(canary)]}
    called = world.client.post(f"{api}/call/read_roster_file", headers=page.headers, json=forged_body)
    assert called.status_code == 404 and called.json()["detail"] == QUEUE_ONLY  # no door around the queue
    run = world.client.post(f"{api}/run/read_roster_file", headers=page.headers, json=forged_body)
    assert run.status_code == 404 and "join the queue" in run.json()["detail"]
    assert_not_leaked(canary, forged.raw, called.text, run.text)

    [uploaded] = page.upload("roster.csv", b"username,display_name,password\nbea,Bea Smith,\n")
    read = page.call(page.fn_index("read_roster_file"), [file_data(uploaded)])
    assert read.error is None and "bea,Bea Smith" in read.completed["output"]["data"][0]
    assert not Path(uploaded).exists()  # the roster may hold passwords: the text box is its only copy


def test_the_gradebook_downloads_from_the_guarded_route_and_is_never_written_to_temp(world) -> None:
    """Item 3: the button links to the API route; only the class's teacher gets the file."""
    temp = Path(tempfile.gettempdir())
    before = set(temp.glob("gradebook-*"))
    page = page_as_owner(world, "/teacher")
    page.call(page.fn_index("on_load"), [])  # the class list is the page's, as in a browser
    shown = page.call(page.fn_index("on_class"), [world.ids["Algebra"]])
    link = shown.completed["output"]["data"][5]["link"]
    assert link == f"/api/classes/{world.ids['Algebra']}/gradebook.csv"
    assert set(temp.glob("gradebook-*")) == before
    got = world.client.get(link, headers=world.headers("tess"))
    assert got.status_code == 200 and got.text.startswith("username,") and "ada" in got.text
    assert world.client.get(link, headers=world.headers("ada")).status_code == 403
    assert world.client.get(link).status_code == 401


def test_job_results_download_only_for_admins_and_are_private_on_disk(world, tmp_path: Path) -> None:
    """Item 3: results come from an admin-only route; on disk only the server's user can read them."""
    batch = tmp_path / "answers.csv"
    batch.write_text("learner,problem,answer,expected\nada,Solve 2x = 8,x = 4,4\nbo,Solve 2x = 8,x = 3,4\n")
    job_id = assessment.create_grading_job(world.db, batch, created_by=world.ids["root"])
    results_dir = world.settings.results_dir
    assessment.run_job(world.db, job_id, generate=None, flags=MemoryFlags(), owner="test",
                       results_dir=results_dir)  # fmt: skip
    on_disk = assessment.results_path(results_dir, job_id)
    assert stat.S_IMODE(on_disk.stat().st_mode) == 0o600
    assert stat.S_IMODE(results_dir.stat().st_mode) == 0o700

    page = page_as_owner(world, "/admin")
    page.call(page.fn_index("on_load"), [])  # the job list is the page's, as in a browser
    shown = page.call(page.fn_index("on_job"), [job_id])
    link = shown.completed["output"]["data"][1]["link"]
    assert link == f"/api/jobs/{job_id}/results.jsonl"
    got = world.client.get(link, headers=world.headers("root"))
    assert got.status_code == 200
    assert [json.loads(line)["submitted"] for line in got.text.splitlines()] == ["x = 4", "x = 3"]
    for who, status in (("tess", 403), ("ada", 403)):
        assert world.client.get(link, headers=world.headers(who)).status_code == status
    assert world.client.get(link).status_code == 401
    assert world.client.get(f"/api/jobs/{job_id + 1000}/results.jsonl",
                            headers=world.headers("root")).status_code == 404  # fmt: skip
    # Gradio's own file route answers no one, not even an admin on the admin page.
    for path, user in OWNER.items():
        served = world.client.get(f"{path}/gradio_api/file={on_disk}", headers=world.headers(user))
        assert served.status_code == 404 and served.json()["detail"] == NOT_SERVED
        assert '"correct"' not in served.text


def test_the_student_page_takes_no_uploads(world) -> None:
    """Item 5: the attacker's 50 MB uploads to the student page; here 1 MB is enough to be refused."""
    name = f"junk-{uuid.uuid4().hex}.bin"
    response = world.client.post("/student/gradio_api/upload", headers=world.headers("ada"),
                                 files={"files": (name, b"\0" * 1_000_000)})  # fmt: skip
    assert response.status_code == 403 and response.json()["detail"] == NO_UPLOADS
    recording = world.client.post("/student/gradio_api/process_recording", headers=world.headers("ada"),
                                  files={"video": (name, b"\0" * 1000)})  # fmt: skip
    assert recording.status_code == 403
    assert copies_in_gradio_folder(name) == []


def test_an_upload_over_the_size_limit_is_refused(world) -> None:
    """Item 5: a file over ``upload_max_megabytes``, with and without a stated size, is not kept."""
    name = f"big-{uuid.uuid4().hex}.csv"
    too_big = b"x" * (world.settings.upload_max_bytes + ENVELOPE_BYTES + 1)
    headers = world.headers("tess")
    upload = "/teacher/gradio_api/upload"
    stated = world.client.post(upload, headers=headers, files={"files": (name, too_big)})
    assert stated.status_code == 413
    assert f"under {world.settings.upload_max_megabytes} MB" in stated.json()["detail"]

    def chunks():
        boundary_start = b'--b\r\nContent-Disposition: form-data; name="files"; filename="' + name.encode()
        yield boundary_start + b'"\r\nContent-Type: text/csv\r\n\r\n'
        for start in range(0, len(too_big), 1_000_000):
            yield too_big[start : start + 1_000_000]
        yield b"\r\n--b--\r\n"

    multipart = {**headers, "content-type": "multipart/form-data; boundary=b"}
    unstated = world.client.post(upload, content=chunks(), headers=multipart)
    assert unstated.status_code == 413
    assert copies_in_gradio_folder(name) == []


def test_uploads_are_counted_per_user(world) -> None:
    """Item 5: each user may upload ``uploads_per_minute`` files a minute; then a clear 429."""
    headers = world.headers("root")
    statuses = []
    for n in range(world.settings.uploads_per_minute + 1):
        batch = {"files": (f"batch-{n}.csv", b"learner,problem,answer,expected\n")}
        response = world.client.post("/admin/gradio_api/upload", headers=headers, files=batch)
        statuses.append(response.status_code)
    assert statuses[0] == 200 and statuses[-1] == 429, statuses
    assert "too many file uploads" in response.json()["detail"] and response.headers["Retry-After"]
    # Another user's budget is their own.
    assert Page(world.client, "/teacher", world.headers("tess")).upload("r.csv", b"username\n")


def test_events_of_other_pages_and_unknown_events_are_refused(world) -> None:
    """Another page's fn_index: refused by the page guard; an index no page has: a clear refusal."""
    student = world.headers("ada")
    for path in ("/teacher", "/admin"):
        for dependency in page_as_owner(world, path).config()["dependencies"]:
            body = {"fn_index": dependency["id"], "data": [], "session_hash": uuid.uuid4().hex}
            response = world.client.post(f"{path}/gradio_api/queue/join", headers=student, json=body)
            assert response.status_code == 403, (path, dependency["api_name"])
    for fn_index in (len(Page(world.client, "/student", student).config()["dependencies"]), 10_000):
        unknown = Page(world.client, "/student", student).call(fn_index, [])
        assert unknown.status == 404 and f"no event number {fn_index}" in unknown.raw


@pytest.mark.parametrize("path", OWNER)
def test_oversized_text_in_every_event_gets_an_answer(world, path: str) -> None:
    """Every text input of every event filled with 300,000 characters: an answer or a refusal, never a 5xx."""
    page = page_as_owner(world, path)
    config = page.config()
    components = {component["id"]: component for component in config["components"]}
    for dependency in config["dependencies"]:
        data = [
            "x=" * 150_000 if components[i]["type"] == "textbox" else components[i]["props"].get("value")
            for i in dependency["inputs"]
        ]
        event = page.call(dependency["id"], data)
        assert event.status < 500, event.raw[-500:]
        if event.status == 200 and event.error is not None:
            assert event.error.strip(), (path, dependency["api_name"])


def test_text_that_is_not_unicode_is_refused_before_the_queue(world) -> None:
    """Lone surrogates (valid JSON escapes) broke Gradio's event stream off mid-answer; now a clear 400."""
    page = page_as_owner(world, "/student")
    event = page.call(page.fn_index("on_ask"), [None, "\udfff(1+", None])
    assert event.status == 400 and "not valid Unicode" in event.raw


def test_a_teacher_cannot_import_another_file_as_a_problem_set(world, canary: Path) -> None:
    """The problem-set upload reads only what the page's upload route received (a real upload is walked in
    tests/browser/test_problem_sets.py; one here would use up the upload rate the next tests need)."""
    page = page_as_owner(world, "/teacher")
    importer = page.fn_index("on_problem_import")
    forged = page.call(importer, [file_data(canary), "linear_one_step", 1])
    assert REFUSED_PATH in forged.error
    assert_not_leaked(canary, forged.raw)
