"""What a service call can refuse, in words the person using the app understands."""

from __future__ import annotations


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
