"""Choosing the next problem, the hint ladder, revealing the solution and progress (SQLite, PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db import Database
from app.models import (
    Attempt,
    HintRecord,
    MasteryEvent,
    Problem,
    SkillMastery,
    StepRecord,
    TutoringSession,
    User,
)
from app.models.practice import STEP_VERDICTS
from app.services import assignments, authoring, classes, curriculum, help, progress, tutoring, web_queries
from app.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.services.tutoring import ProblemView
from tutor import learner
from tutor.problems import SKILLS, generate_problem
from tutor.verdicts import StepStatus

MASTERED = {"p_mastery": 0.99, "ability": learner.MASTERY_RATING + 100, "solved_in_a_row": 5}


@dataclass(frozen=True)
class People:
    student_id: int
    other_id: int
    teacher_id: int
    problem_id: int  # "2x + 3 = 7", solved by "2x = 4" then "x = 2"


@pytest.fixture
def people(db: Database) -> People:
    curriculum.sync_skills(db)
    with db.transaction() as session:
        # Rows straight in: these people never log in, and argon2 is slow on purpose.
        rows = [User(username=name, display_name=name, role=role, password_hash="-")
                for name, role in (("ada", "student"), ("bob", "student"), ("teach", "teacher"))]
        session.add_all(rows)
        session.flush()
        student, other, teacher = rows
    problem_id = authoring.add_problem(
        db, author_id=teacher.id, skill_id="linear_two_step", difficulty=2, kind="solve",
        prompt="Solve for x.", start="2x + 3 = 7", answer="x = 2",
    )
    return People(student.id, other.id, teacher.id, problem_id)


def _authored(db: Database, people: People) -> ProblemView:
    session = tutoring.start_session(db, user_id=people.student_id)
    return tutoring.start_problem(db, session_id=session.id, user_id=people.student_id,
                                  problem_id=people.problem_id)


def _master(db: Database, user_id: int, skill_ids: list[str]) -> None:
    with db.transaction() as session:
        session.add_all(SkillMastery(user_id=user_id, skill_id=s, problems_finished=20, **MASTERED)
                        for s in skill_ids)


def _next(db: Database, user_id: int, seed: int, assignment_id: int | None = None) -> ProblemView:
    session = tutoring.start_session(db, user_id=user_id, assignment_id=assignment_id)
    return curriculum.next_problem(db, session_id=session.id, user_id=user_id, seed=seed)


def _next_on(db: Database, user_id: int, skill_id: str) -> ProblemView:
    session = tutoring.start_session(db, user_id=user_id)
    return curriculum.next_problem(db, session_id=session.id, user_id=user_id, skill_id=skill_id, seed=5)


def _step(db: Database, people: People, attempt_id: int, text: str, request: str) -> tutoring.StepResult:
    return tutoring.submit_step(db, attempt_id=attempt_id, user_id=people.student_id, text=text,
                                client_request_id=request, time_taken_ms=3000)


def _evidence(db: Database, user_id: int) -> list[tuple[str, int | None]]:
    with db.transaction() as session:
        query = select(MasteryEvent.evidence, MasteryEvent.hint_level).where(MasteryEvent.user_id == user_id)
        return [tuple(row) for row in session.execute(query.order_by(MasteryEvent.id))]


def test_a_new_learner_starts_on_a_skill_without_prerequisites(db: Database, people: People) -> None:
    starters = {skill_id for skill_id, skill in SKILLS.items() if not skill.prerequisites}
    views = [_next(db, people.student_id, seed) for seed in range(6)]
    assert {view.skill_id for view in views} <= starters
    assert {view.difficulty for view in views} == {learner.choose_level(learner.INITIAL_ABILITY)}
    first = views[0]
    generated = generate_problem(first.skill_id, first.difficulty, _seed_of(db, first.attempt_id))
    assert (first.prompt, first.current_state) == (generated.prompt, generated.start)
    assert first.status == "in_progress"


def test_mastered_prerequisites_unlock_the_next_skills(db: Database, people: People) -> None:
    _master(db, people.student_id, ["fractions", "order_of_operations"])
    chosen = {_next(db, people.student_id, seed).skill_id for seed in range(8)}
    assert chosen <= {"linear_one_step", "exponent_rules"}  # their only prerequisite is mastered
    assert chosen  # and nothing locked or already mastered was picked


def test_the_open_problem_comes_back_and_the_same_seed_draws_the_same_problem(
    db: Database, people: People
) -> None:
    session = tutoring.start_session(db, user_id=people.student_id)
    first = curriculum.next_problem(db, session_id=session.id, user_id=people.student_id, seed=7)
    again = curriculum.next_problem(db, session_id=session.id, user_id=people.student_id, seed=8)
    assert again.attempt_id == first.attempt_id  # a reload never skips the problem
    other = _next(db, people.other_id, seed=7)
    assert (other.problem_id, other.prompt) == (first.problem_id, first.prompt)  # stored once, shared


def _assignment(db: Database, people: People, *, enrolled: bool) -> int:
    info = classes.create_class(db, teacher_id=people.teacher_id, name="Algebra 1")
    if enrolled:
        classes.enroll_student(db, class_id=info.id, student_id=people.student_id)
    return assignments.create_assignment(
        db, teacher_id=people.teacher_id, class_id=info.id, title="Systems", skill_id="linear_systems",
        difficulty=4, problem_count=3, due_at=None,
    ).id


def test_an_assignment_fixes_the_skill_and_level(db: Database, people: People) -> None:
    assignment_id = _assignment(db, people, enrolled=True)
    view = _next(db, people.student_id, seed=1, assignment_id=assignment_id)
    assert (view.skill_id, view.difficulty) == ("linear_systems", 4)
    session = tutoring.start_session(db, user_id=people.student_id, assignment_id=assignment_id)
    with pytest.raises(InvalidInput, match="start a new session to choose a skill"):
        curriculum.next_problem(db, session_id=session.id, user_id=people.student_id, skill_id="fractions")


def test_only_students_of_the_class_can_start_its_assignment(db: Database, people: People) -> None:
    assignment_id = _assignment(db, people, enrolled=False)
    with pytest.raises(PermissionDenied, match="not set for any of your classes"):
        tutoring.start_session(db, user_id=people.student_id, assignment_id=assignment_id)
    with pytest.raises(NotFound, match="no assignment with id 999"):
        tutoring.start_session(db, user_id=people.student_id, assignment_id=999)
    with db.transaction() as session:
        assert session.scalars(select(TutoringSession)).all() == []  # a refusal leaves nothing behind


def test_a_chosen_skill_is_practised_at_the_learner_models_level(db: Database, people: People) -> None:
    session = tutoring.start_session(db, user_id=people.student_id)
    fresh = curriculum.next_problem(db, session_id=session.id, user_id=people.student_id,
                                    skill_id="quadratic_formula", seed=3)  # locked for adaptive practice
    assert (fresh.skill_id, fresh.difficulty) == (
        "quadratic_formula", learner.choose_level(learner.INITIAL_ABILITY)
    )
    _master(db, people.student_id, ["derivatives"])
    strong = _next_on(db, people.student_id, "derivatives")
    assert strong.skill_id == "derivatives"
    assert strong.difficulty == learner.choose_level(MASTERED["ability"]) > fresh.difficulty


@pytest.mark.parametrize("skill_id", ["magic", "", "Fractions"])
def test_an_unknown_skill_is_refused_by_name(db: Database, people: People, skill_id: str) -> None:
    session = tutoring.start_session(db, user_id=people.student_id)
    with pytest.raises(InvalidInput, match=r"there is no skill .*choose one of: fractions"):
        curriculum.next_problem(db, session_id=session.id, user_id=people.student_id, skill_id=skill_id)


def test_hints_climb_the_ladder_are_stored_and_count_as_evidence(db: Database, people: People) -> None:
    view = _authored(db, people)
    hints = [help.request_hint(db, attempt_id=view.attempt_id, user_id=people.student_id) for _ in range(3)]
    assert [(h.level, h.kind, h.last, h.repeated) for h in hints] == [
        (1, "nudge", False, False), (2, "specific", False, False), (3, "next_step", True, False)
    ]
    assert "subtract 3" in hints[1].text and "$2 x = 4$" in hints[2].text
    with db.transaction() as session:
        stored = session.scalars(select(HintRecord).order_by(HintRecord.position)).all()
        assert [(r.position, r.level, r.text) for r in stored] == [
            (i, h.level, h.text) for i, h in enumerate(hints, start=1)
        ]
    assert _evidence(db, people.student_id) == [("hint", 1), ("hint", 2), ("hint", 3)]
    assert tutoring.current_problem(db, attempt_id=view.attempt_id, user_id=people.student_id).hints_used == 3
    assert progress.progress(db, user_id=people.student_id).hints == 3
    skill = progress.progress(db, user_id=people.student_id).skills[0]
    assert skill.p_mastery < learner.params_for("linear_two_step").p_init  # hints lower the estimate


def test_hint_spam_at_the_last_rung_counts_once(db: Database, people: People) -> None:
    view = _authored(db, people)
    clicks = [help.request_hint(db, attempt_id=view.attempt_id, user_id=people.student_id) for _ in range(6)]
    assert [(h.level, h.last, h.repeated) for h in clicks] == [
        (1, False, False), (2, False, False), (3, True, False), *[(3, True, True)] * 3
    ]
    assert len({h.text for h in clicks[2:]}) == 1  # the same next step, shown again
    assert _evidence(db, people.student_id) == [("hint", 1), ("hint", 2), ("hint", 3)]
    assert tutoring.current_problem(db, attempt_id=view.attempt_id, user_id=people.student_id).hints_used == 3
    assert progress.progress(db, user_id=people.student_id).hints == 3
    after_three = progress.progress(db, user_id=people.student_id).skills[0].p_mastery
    with db.transaction() as session:
        assert session.scalars(select(HintRecord.position)).all() == [1, 2, 3]

    # A new line is a new next step: that hint is new help, shown and counted once.
    assert _step(db, people, view.attempt_id, "2x = 4", "r1").accepted
    fresh = [help.request_hint(db, attempt_id=view.attempt_id, user_id=people.student_id) for _ in range(2)]
    assert [(h.level, h.repeated) for h in fresh] == [(3, False), (3, True)] and "x = 2" in fresh[0].text
    assert _evidence(db, people.student_id)[-1] == ("hint", 3)
    assert len(_evidence(db, people.student_id)) == 5  # 3 hints, the step, the new hint
    assert progress.progress(db, user_id=people.student_id).skills[0].p_mastery <= after_three


def test_hints_follow_the_learners_own_line(db: Database, people: People) -> None:
    view = _authored(db, people)
    assert _step(db, people, view.attempt_id, "2x = 4", "r1").accepted
    for _ in range(3):
        hint = help.request_hint(db, attempt_id=view.attempt_id, user_id=people.student_id)
    assert "divide both sides by 2" in hint.text.lower() and "x = 2" in hint.text


def test_a_line_the_solver_cannot_continue_gets_a_clear_refusal(db: Database, people: People) -> None:
    view = _authored(db, people)
    detour = _step(db, people, view.attempt_id, "(2x + 3)^2 = 49", "r1")  # true, but the solver stops
    assert (detour.verdict, detour.accepted) == ("implied", True)
    with pytest.raises(Conflict, match="can't work out a hint from your current line"):
        help.request_hint(db, attempt_id=view.attempt_id, user_id=people.student_id)
    assert tutoring.current_problem(db, attempt_id=view.attempt_id, user_id=people.student_id).hints_used == 0

    squared = authoring.add_problem(
        db, author_id=people.teacher_id, skill_id="linear_two_step", difficulty=2, kind="solve",
        prompt="Solve for x.", start="x^2 = 9", answer="x = 3 or x = -3",
    )  # not a two-step linear equation: the solver has no worked solution
    session = tutoring.start_session(db, user_id=people.student_id)
    other = tutoring.start_problem(db, session_id=session.id, user_id=people.student_id, problem_id=squared)
    _step(db, people, other.attempt_id, "x = 3", "r1")
    with pytest.raises(Conflict, match="no worked solution"):
        help.reveal_solution(db, attempt_id=other.attempt_id, user_id=people.student_id)
    assert tutoring.current_problem(db, attempt_id=other.attempt_id, user_id=people.student_id).status == (
        "in_progress"
    )


def test_no_hints_on_a_finished_problem_or_for_someone_else(db: Database, people: People) -> None:
    view = _authored(db, people)
    with pytest.raises(PermissionDenied):
        help.request_hint(db, attempt_id=view.attempt_id, user_id=people.other_id)
    tutoring.finish_problem(db, attempt_id=view.attempt_id, user_id=people.student_id)
    with pytest.raises(Conflict, match="already finished"):
        help.request_hint(db, attempt_id=view.attempt_id, user_id=people.student_id)


def test_the_solution_is_revealed_only_after_a_step_and_the_teacher_sees_it(
    db: Database, people: People
) -> None:
    info = classes.create_class(db, teacher_id=people.teacher_id, name="Algebra 1")
    classes.enroll_student(db, class_id=info.id, student_id=people.student_id)
    view = _authored(db, people)
    with pytest.raises(Conflict, match="at least one step"):
        help.reveal_solution(db, attempt_id=view.attempt_id, user_id=people.student_id)
    assert _evidence(db, people.student_id) == []  # a refusal changes nothing

    assert _step(db, people, view.attempt_id, "2x = 10", "r1").verdict == "invalid"  # tried, wrongly
    solution = help.reveal_solution(db, attempt_id=view.attempt_id, user_id=people.student_id)
    assert [(s.before, s.after) for s in solution.steps] == [("2x + 3 = 7", "2x = 4"), ("2x = 4", "x = 2")]
    assert help.reveal_solution(db, attempt_id=view.attempt_id, user_id=people.student_id) == solution

    summary = tutoring.finish_problem(db, attempt_id=view.attempt_id, user_id=people.student_id)
    assert (summary.status, summary.solution_revealed, summary.steps_taken) == ("gave_up", True, 1)
    assert _evidence(db, people.student_id) == [("step_wrong", None), ("problem_failed", None)]
    [row] = progress.class_gradebook(db, class_id=info.id).rows
    assert (row.username, row.solutions_revealed, row.problems_solved) == ("ada", 1, 0)
    with pytest.raises(Conflict, match="already finished"):
        _step(db, people, view.attempt_id, "x = 2", "r2")  # no credit after seeing the solution


def test_finishing_a_problem_gives_up_once_and_progress_adds_up(db: Database, people: People) -> None:
    solved = _authored(db, people)
    results = [_step(db, people, solved.attempt_id, text, text) for text in ("2x = 4", "x = 2")]
    assert [r.solved for r in results] == [False, True]
    summary = tutoring.finish_problem(db, attempt_id=solved.attempt_id, user_id=people.student_id)
    assert (summary.status, summary.steps_taken) == ("solved", 2)  # finishing keeps "solved"

    given_up = _next(db, people.student_id, seed=12)
    help.request_hint(db, attempt_id=given_up.attempt_id, user_id=people.student_id)
    first = tutoring.finish_problem(db, attempt_id=given_up.attempt_id, user_id=people.student_id)
    assert first == tutoring.finish_problem(db, attempt_id=given_up.attempt_id, user_id=people.student_id)
    assert (first.status, first.hints_used, first.solution_revealed) == ("gave_up", 1, False)

    report = progress.progress(db, user_id=people.student_id)
    assert (report.problems_started, report.problems_solved, report.steps, report.hints) == (2, 1, 2, 1)
    assert {s.skill_id for s in report.skills} == {"linear_two_step", given_up.skill_id}
    assert sum(s.problems_finished for s in report.skills) == 2
    for skill in report.skills:
        assert skill.next_level == learner.choose_level(skill.ability)
        history = progress.mastery_history(db, user_id=people.student_id, skill_id=skill.skill_id)
        assert history[-1].p_mastery == pytest.approx(skill.p_mastery)


def _mastery(db: Database, user_id: int, skill_id: str) -> tuple[float, float, int, int]:
    with db.transaction() as session:
        row = session.get_one(SkillMastery, (user_id, skill_id))
        return row.p_mastery, row.ability, row.problems_finished, row.solved_in_a_row


def test_a_skip_is_recorded_not_solved_not_failed_and_the_next_problem_is_new(
    db: Database, people: People
) -> None:
    info = classes.create_class(db, teacher_id=people.teacher_id, name="Algebra 1")
    classes.enroll_student(db, class_id=info.id, student_id=people.student_id)
    session = tutoring.start_session(db, user_id=people.student_id)
    view = tutoring.start_problem(db, session_id=session.id, user_id=people.student_id,
                                  problem_id=people.problem_id)
    assert not _step(db, people, view.attempt_id, "2x = 10", "r1").accepted
    before = _mastery(db, people.student_id, "linear_two_step")

    summary = tutoring.skip_problem(db, attempt_id=view.attempt_id, user_id=people.student_id)
    assert (summary.status, summary.steps_taken, summary.solution_revealed) == ("skipped", 1, False)
    assert tutoring.skip_problem(db, attempt_id=view.attempt_id, user_id=people.student_id) == summary
    # The learner model hears of it once: the problem ended, with no failure and no learning credit.
    assert _evidence(db, people.student_id) == [("step_wrong", None), ("problem_skipped", None)]
    p_mastery, ability, finished, run = _mastery(db, people.student_id, "linear_two_step")
    assert (p_mastery, ability, finished, run) == (pytest.approx(before[0]), pytest.approx(before[1]), 0, 0)
    with db.transaction() as rows:
        attempt = rows.get_one(Attempt, view.attempt_id)
        assert attempt.status == "skipped" and attempt.finished_at is not None

    with pytest.raises(Conflict, match="already finished"):
        _step(db, people, view.attempt_id, "2x = 4", "r2")
    with pytest.raises(Conflict, match="already finished"):
        help.request_hint(db, attempt_id=view.attempt_id, user_id=people.student_id)
    fresh = curriculum.next_problem(db, session_id=session.id, user_id=people.student_id, seed=3)
    assert fresh.attempt_id != view.attempt_id and fresh.status == "in_progress"  # Next moves on

    report = progress.progress(db, user_id=people.student_id)
    assert (report.problems_started, report.problems_solved) == (2, 0)
    [row] = progress.class_gradebook(db, class_id=info.id).rows
    assert (row.problems_started, row.problems_solved, row.problems_skipped) == (2, 0, 1)
    detail = web_queries.attempt_detail(db, viewer=people.teacher_id, attempt_id=view.attempt_id)
    assert detail.summary.status == "skipped" and [s.text for s in detail.steps] == ["2x = 10"]


def test_only_the_owners_unfinished_problem_can_be_skipped(db: Database, people: People) -> None:
    view = _authored(db, people)
    with pytest.raises(PermissionDenied, match="belongs to someone else"):
        tutoring.skip_problem(db, attempt_id=view.attempt_id, user_id=people.other_id)
    with pytest.raises(NotFound, match="no attempt with id 999"):
        tutoring.skip_problem(db, attempt_id=999, user_id=people.student_id)
    for text in ("2x = 4", "x = 2"):
        _step(db, people, view.attempt_id, text, text)
    with pytest.raises(Conflict, match="nothing to skip"):
        tutoring.skip_problem(db, attempt_id=view.attempt_id, user_id=people.student_id)
    given_up = _authored(db, people)
    tutoring.finish_problem(db, attempt_id=given_up.attempt_id, user_id=people.student_id)
    with pytest.raises(Conflict, match="nothing to skip"):
        tutoring.skip_problem(db, attempt_id=given_up.attempt_id, user_id=people.student_id)
    statuses = [tutoring.current_problem(db, attempt_id=a, user_id=people.student_id).status
                for a in (view.attempt_id, given_up.attempt_id)]
    assert statuses == ["solved", "gave_up"]  # refusals change nothing
    assert [kind for kind, _ in _evidence(db, people.student_id)].count("problem_skipped") == 0


def test_a_skipped_assignment_problem_counts_as_not_solved_and_is_not_served_again(
    db: Database, people: People
) -> None:
    info = classes.create_class(db, teacher_id=people.teacher_id, name="Algebra 1")
    classes.enroll_student(db, class_id=info.id, student_id=people.student_id)
    second = authoring.add_problem(
        db, author_id=people.teacher_id, skill_id="linear_two_step", difficulty=2, kind="solve",
        prompt="Solve for x.", start="3x + 1 = 7", answer="x = 2",
    )
    quiz = assignments.create_problem_set(db, teacher_id=people.teacher_id, class_id=info.id, title="Quiz",
                                          problem_ids=[people.problem_id, second], due_at=None)
    first = _next(db, people.student_id, seed=1, assignment_id=quiz.id)
    assert first.problem_id == people.problem_id
    tutoring.skip_problem(db, attempt_id=first.attempt_id, user_id=people.student_id)
    [mine] = assignments.student_assignments(db, student_id=people.student_id)
    assert (mine.progress.finished, mine.progress.solved, mine.progress.counter) == (1, 0, "2 of 2")

    after_reload = _next(db, people.student_id, seed=2, assignment_id=quiz.id)  # any session of it
    assert after_reload.problem_id == second  # the skipped problem is not served again
    for text in ("3x = 6", "x = 2"):
        _step(db, people, after_reload.attempt_id, text, text)
    session = tutoring.start_session(db, user_id=people.student_id, assignment_id=quiz.id)
    with pytest.raises(curriculum.AssignmentComplete, match="1 of 2 solved"):
        curriculum.next_problem(db, session_id=session.id, user_id=people.student_id)
    [report] = assignments.class_report(db, teacher_id=people.teacher_id, class_id=info.id)
    assert report.completed == 1 and report.mean_score == 0.5


def _seed_of(db: Database, attempt_id: int) -> int:
    with db.transaction() as session:
        attempt = session.get_one(Attempt, attempt_id)
        return session.get_one(Problem, attempt.problem_id).seed


def _step_row(attempt_id: int, position: int, verdict: str) -> StepRecord:
    return StepRecord(
        attempt_id=attempt_id, position=position, client_request_id=f"r{position}", text="x = 2",
        verdict=verdict, message="", accepted=False, time_taken_ms=1, hints_used=0,
    )


def test_every_verdict_is_stored_and_read_back_as_the_same_member(db: Database, people: People) -> None:
    assert tuple(StepStatus) == STEP_VERDICTS  # the model's CHECK is derived from the enum
    attempt_id = _authored(db, people).attempt_id
    with db.transaction() as session:  # the migrated database's CHECK accepts every member
        session.add_all(_step_row(attempt_id, n, status) for n, status in enumerate(StepStatus, start=1))
    detail = web_queries.attempt_detail(db, viewer=people.student_id, attempt_id=attempt_id)
    assert [line.verdict for line in detail.steps] == list(StepStatus)
    assert all(isinstance(line.verdict, StepStatus) for line in detail.steps)
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(_step_row(attempt_id, 9, "correct"))
