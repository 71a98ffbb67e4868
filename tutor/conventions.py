"""Reading conventions a course or a problem may choose: what ``log`` means, and whether ``e`` and ``i``
are the constants or plain variables."""

from __future__ import annotations

from dataclasses import dataclass, field

CONSTANT_LETTERS = {"e": "Euler's number", "i": "the imaginary unit"}
LOG_BASES = ("10", "e")


@dataclass(frozen=True)
class Conventions:
    """``variables``: letters among ``e`` and ``i`` that this problem uses as variables; by default ``e``
    is Euler's number and ``i`` the imaginary unit. ``log_base``: what a bare ``log`` means, ``"10"``
    (school calculators, the default) or ``"e"`` (the natural logarithm, as in university analysis).
    ``ln``, ``lg``, ``log10``, ``log_2`` and ``log(x, b)`` always mean the same thing."""

    variables: frozenset[str] = field(default_factory=frozenset)
    log_base: str = "10"

    def __post_init__(self) -> None:
        object.__setattr__(self, "variables", frozenset(self.variables))
        unknown = self.variables - set(CONSTANT_LETTERS)
        if unknown:
            allowed = sorted(CONSTANT_LETTERS)
            raise ValueError(f"only {allowed} can be declared as variables, not {sorted(unknown)}")
        if self.log_base not in LOG_BASES:
            raise ValueError(f"log_base must be one of {LOG_BASES}, got {self.log_base!r}")


DEFAULT = Conventions()
