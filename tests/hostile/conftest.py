"""Hostile-input fixtures: the code-execution canary and shared Hypothesis settings.

Every test in this folder is bounded: Hypothesis runs a fixed, derandomized number of examples so CI
sees the same inputs each time; ``bench/hostile_inputs.py`` runs many more.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.hostile.corpus import CANARY, PWNED

settings.register_profile(
    "hostile",
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@pytest.fixture(autouse=True, scope="module")
def no_code_ran() -> Iterator[None]:
    """Fail the module if any input managed to create the canary files that injected code would touch."""
    for path in (CANARY, PWNED):
        path.unlink(missing_ok=True)
    yield
    created = [str(path) for path in (CANARY, PWNED) if path.exists()]
    assert not created, f"an input ran code: it created {created}"
