"""This package's C kernels (``gemv.c``, ``sequence.c``) compiled for the CPU they run on, loaded with
ctypes, and the switch that turns them all off.

Each file is built once per machine with the system C compiler (``cc``, or ``$CC``) into the user's
cache, under a name that hashes the source, the flags, the compiler and the CPU, and loaded with
ctypes. Without a compiler, on another architecture, or after ``enable(False)`` (the app's
``FLASHTUTOR_NATIVE_KERNELS=false``), ``load`` returns None and the callers keep PyTorch's code.
Threads come from OpenMP, whose runtime is the libgomp PyTorch has already loaded.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import logging
import os
import platform
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import torch
from torch import Tensor

Wrapper = TypeVar("Wrapper")

NATIVE_FLAGS = ("-march=native",)
BUILD_SECONDS = 120
_enabled = True
log = logging.getLogger(__name__)


def untracked(*tensors: Tensor | None) -> bool:
    """CPU tensors whose results autograd need not follow: the native kernels record no graph, so a
    caller takes them only where this holds (None entries are skipped)."""
    present = [t for t in tensors if t is not None]
    tracked = torch.is_grad_enabled() and any(t.requires_grad for t in present)
    return not tracked and all(t.device.type == "cpu" for t in present)


def enable(flag: bool) -> None:
    """Use the native kernels (the default) or PyTorch's code everywhere, from the next call on."""
    global _enabled
    _enabled = flag
    load.cache_clear()


@functools.cache
def load(source: Path) -> ctypes.CDLL | None:
    """This CPU's build of ``source`` (made once per machine, cached on disk); None where it cannot be had."""
    if not _enabled:
        return None
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return None  # the vector paths are x86's; elsewhere PyTorch's code serves
    try:
        return ctypes.CDLL(str(build(source, NATIVE_FLAGS)))
    except (OSError, subprocess.SubprocessError) as error:
        log.warning("native kernels from %s unavailable, using PyTorch's: %s", source.name, error)
        return None


def kernels(source: Path, wrapper: Callable[[ctypes.CDLL], Wrapper]) -> Wrapper | None:
    """``wrapper`` (a class declaring the library's functions) around this CPU's build of ``source``, made
    once per library; None where the build cannot be had or the native kernels are switched off."""
    library = load(source)
    return None if library is None else _wrapped(wrapper, library)


@functools.cache
def _wrapped(wrapper: Callable[[ctypes.CDLL], Wrapper], library: ctypes.CDLL) -> Wrapper:
    return wrapper(library)


def build(source: Path, flags: tuple[str, ...], cache: Path | None = None) -> Path:
    """Compile ``source`` with ``flags`` (once: the result is kept under a name that hashes the source,
    flags, compiler and CPU) and return the shared library's path. Raises OSError or SubprocessError."""
    compiler = os.environ.get("CC", "cc")
    # -fno-trapping-math: nothing reads the floating-point exception flags, and without it GCC will not
    # vectorise a clamp (x < lo ? lo : x) for targets without AVX-512's masks (the AVX2 scan ran 8x slower)
    command = [compiler, "-O3", *flags, "-fno-trapping-math", "-fopenmp", "-shared", "-fPIC", "-std=gnu11"]
    key = hashlib.sha256()
    for part in (source.read_bytes(), " ".join(command).encode(), _cpu_flags().encode()):
        key.update(part)
    user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = cache or user_cache / "flashtutor" / "kernels"
    library = folder / f"{source.stem}-{key.hexdigest()[:16]}.so"
    if library.is_file():
        return library
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as scratch:  # built aside, then renamed: workers may race
        built = Path(scratch) / library.name
        done = subprocess.run([*command, str(source), "-o", str(built)], capture_output=True, text=True,
                              timeout=BUILD_SECONDS, check=False)  # fmt: skip
        if done.returncode != 0:
            raise OSError(f"{compiler} could not build {source.name}: {done.stderr.strip()[-500:]}")
        os.replace(built, library)
    return library


def profiled(function: ctypes._CFuncPtr):  # type: ignore[name-defined]
    """The C function, named in torch.profiler's tables when a profile is being taken (a profile would
    otherwise show only the PyTorch operations around it)."""
    name = f"native::{function.__name__}"

    def call(*args: object) -> int:
        if not torch.autograd._profiler_enabled():
            return function(*args)
        with torch.profiler.record_function(name):
            return function(*args)

    return call


def _cpu_flags() -> str:
    """The CPU's feature list (-march=native builds for it; a cache shared between machines must not
    hand one CPU's build to another)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return line
    except OSError:
        pass
    return platform.processor()
