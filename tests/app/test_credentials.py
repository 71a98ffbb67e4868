"""Password resets and login cards, on SQLite and PostgreSQL: who may reset whom, and what a reset does."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import Database
from app.services import credentials, users
from app.services.classes import create_class, enroll_student
from app.services.errors import AuthenticationFailed, InvalidInput, NotFound, PermissionDenied


@pytest.fixture
def school(db: Database) -> dict[str, int]:
    ids = {
        name: users.create_user(
            db, username=name, display_name=name.title(), role=role, password="first-pass"
        ).id
        for name, role in [("tess", "teacher"), ("tom", "teacher"), ("root", "admin"),
                           ("ada", "student"), ("bob", "student"), ("cy", "student")]
    }  # fmt: skip
    ids["Algebra"] = create_class(db, teacher_id=ids["tess"], name="Algebra").id
    ids["Geometry"] = create_class(db, teacher_id=ids["tom"], name="Geometry").id
    enroll_student(db, class_id=ids["Algebra"], student_id=ids["ada"])
    enroll_student(db, class_id=ids["Algebra"], student_id=ids["bob"])
    enroll_student(db, class_id=ids["Geometry"], student_id=ids["cy"])
    return ids


def test_a_teacher_resets_a_student_of_theirs_and_the_student_is_signed_out(
    db: Database, school: dict[str, int]
) -> None:
    token = users.start_login_session(db, user_id=school["ada"], ttl=timedelta(hours=1))
    card = credentials.reset_password(db, actor_id=school["tess"], user_id=school["ada"])
    assert card.username == "ada" and card.password.count("-") == 4
    assert users.authenticate(db, username="ada", password=card.password).id == school["ada"]
    with pytest.raises(AuthenticationFailed):
        users.authenticate(db, username="ada", password="first-pass")
    with pytest.raises(AuthenticationFailed):
        users.user_for_token(db, token=token)  # the old login no longer works


@pytest.mark.parametrize(
    ("actor", "target"),
    [("tess", "cy"),  # a student of another teacher's class
     ("tess", "tom"),  # another teacher
     ("tess", "root"),  # an admin
     ("ada", "bob"),  # students reset no one
     ("ada", "ada")],
)  # fmt: skip
def test_no_one_resets_what_is_not_theirs(
    db: Database, school: dict[str, int], actor: str, target: str
) -> None:
    with pytest.raises(PermissionDenied):
        credentials.reset_password(db, actor_id=school[actor], user_id=school[target])
    assert users.authenticate(db, username=target, password="first-pass").id == school[target]


def test_an_admin_resets_anyone_and_a_chosen_password_must_be_strong_enough(
    db: Database, school: dict[str, int]
) -> None:
    credentials.reset_password(
        db, actor_id=school["root"], user_id=school["tom"], new_password="chalk-and-talk"
    )
    assert users.authenticate(db, username="tom", password="chalk-and-talk")
    with pytest.raises(InvalidInput, match="at least 8"):
        credentials.reset_password(db, actor_id=school["root"], user_id=school["tom"], new_password="short")
    with pytest.raises(NotFound):
        credentials.reset_password(db, actor_id=school["root"], user_id=9999)


def test_login_cards_give_each_student_of_the_class_a_new_password(
    db: Database, school: dict[str, int]
) -> None:
    cards = credentials.issue_login_cards(db, actor_id=school["tess"], class_id=school["Algebra"])
    assert cards.class_name == "Algebra"
    assert [c.username for c in cards.cards] == ["ada", "bob"]
    for card in cards.cards:
        assert users.authenticate(db, username=card.username, password=card.password)
    assert users.authenticate(db, username="cy", password="first-pass")  # other classes untouched
    one = credentials.issue_login_cards(
        db, actor_id=school["root"], class_id=school["Algebra"], student_ids=[school["bob"]]
    )
    assert [c.username for c in one.cards] == ["bob"]


def test_login_cards_only_for_the_class_teacher_and_its_students(
    db: Database, school: dict[str, int]
) -> None:
    with pytest.raises(PermissionDenied):
        credentials.issue_login_cards(db, actor_id=school["tom"], class_id=school["Algebra"])
    with pytest.raises(PermissionDenied):
        credentials.issue_login_cards(
            db, actor_id=school["tess"], class_id=school["Algebra"], student_ids=[school["cy"]]
        )
    assert users.authenticate(db, username="cy", password="first-pass")
