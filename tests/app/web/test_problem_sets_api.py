"""Teachers write and import problems, set them as a problem set, and see who finished; a student works
it from "1 of 2" to the completion message, never seeing a problem twice."""

from __future__ import annotations

import json

SOLVE = {"prompt": "Solve for x.", "skill_id": "linear_two_step", "difficulty": 2, "form": "solved:x"}


def test_a_problem_set_from_editor_and_import_to_completion(world) -> None:
    tess, ada = world.as_user("tess"), world.as_user("ada")
    algebra = world.ids["Algebra"]
    written = world.client.post("/api/problems", headers=tess, json={**SOLVE, "start": "2x + 3 = 11",
                                                                        "answer": "x = 4"})
    assert written.status_code == 200, written.text
    wrong = world.client.post("/api/problems", headers=tess, json={**SOLVE, "start": "2x + 3 = 11",
                                                                      "answer": "x = 5"})
    assert wrong.status_code == 422 and "does not follow from the start" in wrong.json()["detail"]

    rows = [{"prompt": "Solve.", "start": "x + 5 = 7", "answer": "x = 2", "level": 1},
            {"prompt": "Solve.", "start": "x + = 7", "answer": "x = 2", "level": 1}]
    body = {"text": "\n".join(json.dumps(r) for r in rows), "filename": "set.jsonl",
            "skill_id": "linear_one_step"}
    refused = world.client.post("/api/problems/import", headers=tess, json=body)
    assert refused.status_code == 422 and [e["line"] for e in refused.json()["errors"]] == [2]
    body["text"] = json.dumps(rows[0])
    imported = world.client.post("/api/problems/import", headers=tess, json=body).json()["ids"]

    chosen = [written.json()["id"], *imported]
    as_student = world.client.post("/api/problems", headers=ada,
                                   json={**SOLVE, "start": "x = 1", "answer": "x = 1"})
    assert as_student.status_code == 403
    created = world.client.post(f"/api/classes/{algebra}/problem-sets", headers=tess,
                                json={"title": "Quiz", "problem_ids": chosen})
    assert created.status_code == 200, created.text
    quiz = created.json()["id"]

    def mine() -> dict:
        return next(a for a in world.client.get("/api/me/assignments", headers=ada).json() if a["id"] == quiz)

    assert mine()["counter"] == "1 of 2"
    served = []
    for answer in ("x = 4", "x = 2"):
        session = world.client.post("/api/sessions", headers=ada, json={"assignment_id": quiz}).json()["id"]
        problem = world.client.post(f"/api/sessions/{session}/next", headers=ada).json()
        served.append(problem["problem_id"])
        step = {"text": answer, "client_request_id": f"q{len(served)}"}
        url = f"/api/attempts/{problem['attempt_id']}/steps"
        result = world.client.post(url, headers=ada, json=step).json()
        assert result["solved"], result
    assert served == chosen and mine()["counter"] == "2 of 2 done" and mine()["complete"]
    session = world.client.post("/api/sessions", headers=ada, json={"assignment_id": quiz}).json()["id"]
    done = world.client.post(f"/api/sessions/{session}/next", headers=ada)
    assert done.status_code == 409 and done.json()["detail"].startswith("You finished “Quiz”: 2 of 2 solved")

    [report] = [r for r in world.client.get(f"/api/classes/{algebra}/assignment-report", headers=tess).json()
                if r["id"] == quiz]
    assert report["completed"] == 1 and report["students"][0]["score"] == 1.0
    gradebook = world.client.get(f"/api/classes/{algebra}/gradebook.csv", headers=tess).text
    assert f"Quiz (#{quiz}):finished of 2" in gradebook.splitlines()[0]
    other = world.client.get(f"/api/classes/{world.ids['Geometry']}/assignment-report", headers=tess)
    assert other.status_code == 403
