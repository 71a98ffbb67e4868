"""Units after a numeric answer (``8.19 cm``, ``15\\text{ cm}^2``, ``2.5 kg``): read, and compared.

A teacher expects ``8.19 cm`` to match ``8.19 cm`` and ``81.9 mm``, and not ``8.19 kg``. A unit is only
recognised after a plain number (``2m`` is two metres, ``2x m`` is not a unit answer), so the letters of
algebra are never mistaken for units. When only one side names a unit, the numbers alone are compared,
as answer keys often leave the unit out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

_R = sympy.Rational
# unit -> (what it measures, its size in the base unit of that quantity)
UNITS: dict[str, tuple[str, sympy.Rational]] = {
    "mm": ("length", _R(1, 1000)), "cm": ("length", _R(1, 100)), "m": ("length", _R(1)),
    "km": ("length", _R(1000)), "in": ("length", _R(254, 10000)), "ft": ("length", _R(3048, 10000)),
    "yd": ("length", _R(9144, 10000)), "mi": ("length", _R(1609344, 1000)),
    "mg": ("mass", _R(1, 1000)), "g": ("mass", _R(1)), "kg": ("mass", _R(1000)),
    "ml": ("volume", _R(1, 1000)), "mL": ("volume", _R(1, 1000)), "l": ("volume", _R(1)),
    "L": ("volume", _R(1)), "s": ("time", _R(1)), "sec": ("time", _R(1)), "min": ("time", _R(60)),
    "h": ("time", _R(3600)), "hr": ("time", _R(3600)), "hours": ("time", _R(3600)),
    "minutes": ("time", _R(60)), "seconds": ("time", _R(1)),
}  # fmt: skip
_POWER = r"(?:\s*\^\s*\{?\s*(?P<power>[23])\s*\}?|(?P<superscript>[²³]))?"
_NAMES = "|".join(sorted(UNITS, key=len, reverse=True))
_UNIT_AT_END = re.compile(
    r"(?:\\(?:text|mbox|textrm|mathrm)\{\s*(?P<latex>[a-zA-Z ]+?)\s*\}|(?<![a-zA-Z\\])(?P<plain>"
    + _NAMES + r"))" + _POWER + r"$"
)  # fmt: skip
_TAIL = 60  # units are short: only the end of an answer is searched, so long text costs nothing extra


@dataclass(frozen=True)
class Unit:
    name: str
    power: int = 1

    def conversion(self, other: Unit) -> sympy.Rational | None:
        """The factor that turns a value in this unit into one in ``other``; None if they measure
        different things (or are words this module does not know and are not the same word)."""
        if self == other:
            return sympy.Integer(1)
        if self.name not in UNITS or other.name not in UNITS or self.power != other.power:
            return None
        (quantity, size), (other_quantity, other_size) = UNITS[self.name], UNITS[other.name]
        if quantity != other_quantity:
            return None
        return (size / other_size) ** self.power


def split_unit(answer: str) -> tuple[str, Unit | None]:
    """``8.19 cm`` → ``("8.19", Unit("cm"))``; an answer without a unit after a number is unchanged."""
    answer = answer.rstrip()
    match = _UNIT_AT_END.search(answer, max(0, len(answer) - _TAIL))
    if match is None:
        return answer, None
    value = answer[: match.start()].rstrip()
    if not value or value[-1] not in "0123456789}." or _has_letters(value):
        return answer, None
    power = match.group("power") or {"²": "2", "³": "3"}.get(match.group("superscript") or "", "1")
    return value, Unit((match.group("latex") or match.group("plain")).strip(), int(power))


def _has_letters(value: str) -> bool:
    """Letters outside LaTeX commands: ``2x m`` is algebra, ``\\frac{1}{2} m`` half a metre."""
    return re.search(r"[a-zA-Z]", re.sub(r"\\[a-zA-Z]+", "", value)) is not None
