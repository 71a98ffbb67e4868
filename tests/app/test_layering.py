"""The layers of the app, read from the source: the services and the model workers meet only in
``app.contract``; the runtime is put together in ``app.assembly`` alone; no import circle, and no
function-level import hiding one.

    app.contract            <- nothing of the app
    app.services            <- app.contract (never app.worker)
    app.worker              <- app.contract; app.services only in app.worker.tasks (it runs their jobs)
    app.assembly, app.cli, app.web   on top
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
# Function-level imports that are not hiding a circle: torch and the model load only in a process that
# serves a checkpoint, so a web process with a broker never pays for them.
LAZY_ALLOWED = {
    ("app.assembly", "app.worker.host"),
    ("app.assembly", "model.engine.engine"),
}
WORKER_MAY_CALL_SERVICES = {"app.worker.tasks"}  # a worker runs the services' batch jobs


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: resolve against this module's package
        base = module.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, node.module] if node.module else base)
    else:
        target = node.module or ""
    # ``from app.services import assessment`` imports the submodule when there is one.
    names = [f"{target}.{alias.name}" for alias in node.names]
    return [target, *[n for n in names if (ROOT / Path(*n.split("."))).with_suffix(".py").is_file()]]


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(path: Path) -> tuple[set[str], set[str]]:
    """(modules imported when the module loads, modules imported inside functions); TYPE_CHECKING
    blocks are neither."""
    module, is_package = module_name(path), path.name == "__init__.py"
    at_load: set[str] = set()
    in_functions: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for other in child.orelse:
                    visit(other, in_function)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                (in_functions if in_function else at_load).update(imported(child, module, is_package))
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return at_load, in_functions


MODULES = {module_name(path): imports(path) for path in sorted(APP.rglob("*.py"))}


def in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_contract_depends_on_nothing_of_the_app() -> None:
    at_load, in_functions = MODULES["app.contract"]
    assert not {m for m in at_load | in_functions if in_package(m, "app") or in_package(m, "model")}


def test_the_services_see_the_workers_only_through_the_contract() -> None:
    wrong = {
        (module, target)
        for module, (at_load, in_functions) in MODULES.items()
        if in_package(module, "app.services")
        for target in at_load | in_functions
        if any(in_package(target, p) for p in ("app.worker", "app.assembly", "app.web", "app.cli", "model"))
    }
    assert not wrong, f"services importing the worker side (use app.contract): {sorted(wrong)}"


def test_the_worker_calls_the_services_only_to_run_their_jobs() -> None:
    wrong = {
        (module, target)
        for module, (at_load, in_functions) in MODULES.items()
        if in_package(module, "app.worker")
        for target in at_load | in_functions
        if (in_package(target, "app.services") and module not in WORKER_MAY_CALL_SERVICES)
        or any(in_package(target, p) for p in ("app.assembly", "app.web", "app.cli"))
    }
    assert not wrong, f"worker modules reaching up a layer: {sorted(wrong)}"


def test_no_function_level_import_of_the_app_hides_a_circle() -> None:
    """Inside app.worker and app.assembly an import sits at the top of its module, so a circle shows."""
    hidden = {
        (module, target)
        for module, (_, in_functions) in MODULES.items()
        if in_package(module, "app.worker") or module == "app.assembly"
        for target in in_functions
        if (module, target) not in LAZY_ALLOWED
    }
    assert not hidden, f"function-level imports (move them to the top, or break the circle): {sorted(hidden)}"


def test_the_model_side_has_no_import_circle() -> None:
    """No circle among the contract, services, worker and assembly, counting every import (even lazy)."""
    layer = [m for m in MODULES if any(in_package(m, p) for p in ("app.contract", "app.services",
                                                                  "app.worker", "app.assembly"))]  # fmt: skip
    edges = {m: {t for t in MODULES[m][0] | MODULES[m][1] if t in layer and t != m} for m in layer}
    done: set[str] = set()

    def walk(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError("import circle: " + " -> ".join([*path[path.index(module):], module]))
        if module in done:
            return
        for target in sorted(edges[module]):
            walk(target, [*path, module])
        done.add(module)

    for module in layer:
        walk(module, [])


def test_the_web_app_and_the_cli_load_without_torch() -> None:
    """A web process that talks to Celery workers never loads the model: the host is imported lazily."""
    probe = "import sys, app.web.factory, app.cli, app.assembly; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
