"""Classes and who is in them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Enrollment, SchoolClass, User
from app.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.services.users import UserInfo, user_info
from tutor.conventions import LOG_BASES


@dataclass(frozen=True)
class ClassInfo:
    id: int
    name: str
    teacher_id: int
    log_base: str = "10"  # what a bare log means in this course's problems (tutor.conventions)


def class_info(school_class: SchoolClass) -> ClassInfo:
    return ClassInfo(school_class.id, school_class.name, school_class.teacher_id, school_class.log_base)


def create_class(db: Database, *, teacher_id: int, name: str) -> ClassInfo:
    """A new class taught by ``teacher_id`` (a teacher or an admin)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("a class needs a name of 1-200 characters")
    try:
        with db.transaction() as session:
            teacher = session.get(User, teacher_id)
            if teacher is None:
                raise NotFound(f"there is no user with id {teacher_id}")
            if teacher.role not in ("teacher", "admin"):
                raise PermissionDenied(f"{teacher.username} is a {teacher.role} and cannot teach a class")
            school_class = SchoolClass(name=name, teacher_id=teacher_id)
            session.add(school_class)
            session.flush()
            return class_info(school_class)
    except IntegrityError as error:
        raise Conflict(f"you already have a class called {name!r}") from error


def require_teaches(session: Session, teacher_id: int, class_id: int) -> SchoolClass:
    """The class, inside an open transaction; ``PermissionDenied`` unless this teacher teaches it."""
    school_class = session.get(SchoolClass, class_id)
    if school_class is None:
        raise NotFound(f"there is no class with id {class_id}")
    if school_class.teacher_id != teacher_id:
        raise PermissionDenied("this class belongs to another teacher")
    return school_class


def load_class(session: Session, class_id: int) -> SchoolClass:
    school_class = session.get(SchoolClass, class_id)
    if school_class is None:
        raise NotFound(f"there is no class with id {class_id}")
    return school_class


def enroll(session: Session, *, class_id: int, student: User) -> bool:
    """Put ``student`` in the class inside an open transaction; False if already enrolled."""
    if student.role != "student":
        raise InvalidInput(f"{student.username} is a {student.role}; only students can be enrolled")
    if session.get(Enrollment, (class_id, student.id)) is not None:
        return False
    session.add(Enrollment(class_id=class_id, student_id=student.id))
    return True


def enroll_student(db: Database, *, class_id: int, student_id: int) -> bool:
    """Enroll a student; True if newly enrolled, False if they already were."""
    with db.transaction() as session:
        load_class(session, class_id)
        student = session.get(User, student_id)
        if student is None:
            raise NotFound(f"there is no user with id {student_id}")
        return enroll(session, class_id=class_id, student=student)


def class_students(db: Database, *, class_id: int) -> list[UserInfo]:
    """The students of a class, by username."""
    with db.transaction() as session:
        load_class(session, class_id)
        query = (
            select(User)
            .join(Enrollment, Enrollment.student_id == User.id)
            .where(Enrollment.class_id == class_id)
            .order_by(User.username)
        )
        return [user_info(user) for user in session.scalars(query)]


def set_log_base(db: Database, *, teacher_id: int, class_id: int, log_base: str) -> ClassInfo:
    """Say what a bare ``log`` means in this course: ``"10"`` (school calculators) or ``"e"`` (natural).

    Checks from then on read the course's problems that way; steps already judged keep their verdicts."""
    if log_base not in LOG_BASES:
        raise InvalidInput(f"log base must be one of {', '.join(LOG_BASES)}, not {log_base!r}")
    with db.transaction() as session:
        school_class = require_teaches(session, teacher_id, class_id)
        school_class.log_base = log_base
        return class_info(school_class)
