"""What a service call can refuse, in words the person using the app understands."""

from __future__ import annotations

from dataclasses import dataclass


class ServiceError(Exception):
    """Base of every refusal; ``str(error)`` is fit to show to the user."""


class NotFound(ServiceError):
    """The id names nothing (or nothing this user may see)."""


class PermissionDenied(ServiceError):
    """The user exists but may not do this."""


class InvalidInput(ServiceError, ValueError):
    """A value was malformed: an empty step, a bad username, an unknown role."""


class Conflict(ServiceError):
    """The request clashes with the current state: a taken username, a finished problem."""


class AuthenticationFailed(ServiceError):
    """Wrong username or password, or an expired login."""


class TryAgain(ServiceError):
    """The work could not be finished just now (for example the checker was busy); nothing was stored."""


@dataclass(frozen=True)
class RowError:
    line: int  # as a spreadsheet shows it: the header is line 1
    message: str


class BadRows(ServiceError):
    """A file that is imported all or nothing has bad rows; ``errors`` names every one."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        lines = "\n".join(f"  line {e.line}: {e.message}" for e in errors)
        super().__init__(f"nothing was imported; fix these {len(errors)} row(s) and try again:\n{lines}")
