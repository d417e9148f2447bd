"""The house as ARCHITECTURE.md draws it: import contracts, no cycles, rooms that keep to
their job, modules of a readable size, configuration read in one place."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
CODE = [ROOT / "coordinator", ROOT / "workers"]
MAX_LINES = 300


def modules() -> list[Path]:
    return sorted(p for folder in CODE for p in folder.rglob("*.py"))


def name_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def room(path: Path) -> str:
    return path.stem


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_import_cycles():
    graph = grimp.build_graph("coordinator", "workers")
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    assert cycles == []


def _imports_in_functions(tree: ast.AST) -> list[int]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found += [
                sub.lineno for sub in ast.walk(node) if isinstance(sub, ast.Import | ast.ImportFrom)
            ]
    return found


def test_no_imports_inside_functions_outside_ops():
    """An import inside a function hides a cycle or a layer broken; only the `fumin`
    command (ops) defers its heavy imports until a subcommand needs them."""
    offenders = {
        name_of(path): lines
        for path in modules()
        if "ops" not in path.parts and (lines := _imports_in_functions(ast.parse(path.read_text())))
    }
    assert offenders == {}


@pytest.mark.parametrize("path", modules(), ids=name_of)
def test_no_module_over_300_lines(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES


def _imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


QUIET_ROOMS = {"models", "schemas", "service", "jobs", "notify", "feeds"}


def test_http_lives_only_in_views_and_pages():
    offenders = [
        name_of(path)
        for path in modules()
        if room(path) in QUIET_ROOMS
        and any(
            n == "aiohttp" or n.startswith("aiohttp.")
            for n in _imported(ast.parse(path.read_text()))
        )
    ]
    assert offenders == []


def _sql_imports(tree: ast.AST) -> list[str]:
    """What a module takes from SQLAlchemy beyond the session's type (which a page may
    hand on to a service)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found += [a.name for a in node.names if a.name != "AsyncSession"]
    return found


def test_sql_lives_only_in_services_and_models():
    offenders = {
        name_of(path): names
        for path in modules()
        if room(path) in {"views", "pages"} and (names := _sql_imports(ast.parse(path.read_text())))
    }
    assert offenders == {}


def test_configuration_is_read_only_by_settings():
    allowed = {"coordinator.platform.settings"}
    offenders = [
        name_of(path)
        for path in modules()
        if name_of(path) not in allowed
        and "ops" not in path.parts
        and ("os.environ" in path.read_text() or "getenv(" in path.read_text())
    ]
    assert offenders == []
