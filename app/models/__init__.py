"""The database tables, as typed SQLAlchemy 2 models. Importing this package registers all of them."""

from app.models.base import Base
from app.models.jobs import AssessmentItem, AssessmentJob, ModelRequest
from app.models.mastery import MasteryEvent, SkillMastery
from app.models.people import ROLES, Enrollment, LoginSession, SchoolClass, User
from app.models.practice import (
    Assignment,
    AssignmentProblem,
    Attempt,
    HintRecord,
    Problem,
    Skill,
    StepRecord,
    TutoringSession,
)

__all__ = [
    "ROLES",
    "AssessmentItem",
    "AssessmentJob",
    "Assignment",
    "AssignmentProblem",
    "Attempt",
    "Base",
    "Enrollment",
    "HintRecord",
    "LoginSession",
    "MasteryEvent",
    "ModelRequest",
    "Problem",
    "SchoolClass",
    "Skill",
    "SkillMastery",
    "StepRecord",
    "TutoringSession",
    "User",
]
