"""A non-editable install (``pip install /path/to/flashtutor``, as the deployment guide does) ships only
Python files and the package-data patterns: every other file the packages read must match one."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_file_the_packages_read_is_shipped() -> None:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = settings["package-data"]["*"]
    packages = [prefix.rstrip("*") for prefix in settings["packages"]["find"]["include"]]
    left_out = [
        path.relative_to(ROOT).as_posix()
        for package in packages
        for path in (ROOT / package).rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix != ".py"
        and not any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns)
    ]
    assert not left_out, f"not in any package-data pattern, so missing from a wheel: {left_out}"
    assert "model/kernels/gemv.c" in {
        path.relative_to(ROOT).as_posix() for path in (ROOT / "model").rglob("*.c")
    }
