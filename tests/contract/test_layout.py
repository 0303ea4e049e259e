"""The layout the design promises, checked on the source: layers, no cycles, small
modules. A change that breaks one of these fails here, not in review."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "sessions_core",
    "handlers",
    "sessions_cli",
    "sessions_local",
    "examples",
    "sessions_client",
)
MAX_LINES = 300


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()
MODULE_NAMES = frozenset(MODULES)


def _imports(path: Path) -> set[str]:
    """Modules ``path`` imports at run time (imports under TYPE_CHECKING excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for child in ast.walk(node))
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from package import module`` depends on the module; ``from package import
            # name`` on the package's __init__.
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                names.add(submodule if submodule in MODULE_NAMES else node.module)
    return names


def _local_graph() -> dict[str, set[str]]:
    return {name: _imports(path) & set(MODULES) for name, path in MODULES.items()}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_layout_module_is_under_300_lines(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


def test_layout_core_imports_no_handler_cli_or_http_code() -> None:
    for name, path in MODULES.items():
        if name.startswith("sessions_core"):
            bad = {
                m
                for m in _imports(path)
                if m.split(".")[0] in {"handlers", "sessions_cli", "aws_lambda_powertools"}
            }
            assert not bad, f"{name} imports {bad}"


def test_layout_botocore_is_only_under_the_aws_adapter_packages() -> None:
    for name, path in MODULES.items():
        adapters = ("sessions_core.dynamodb", "sessions_core.key_services")
        if name.startswith("sessions_core") and not name.startswith(adapters):
            bad = {m for m in _imports(path) if m.split(".")[0] in {"botocore", "boto3"}}
            assert not bad, f"{name} imports {bad}"


def test_layout_modules_never_import_their_own_package() -> None:
    # ``from sessions_core import rules`` inside sessions_core closes a loop through the
    # package's __init__; import the module itself.
    for name, targets in _local_graph().items():
        ancestors = {name.rsplit(".", n)[0] for n in range(1, name.count(".") + 1)}
        assert not targets & ancestors, f"{name} imports {targets & ancestors}"


def test_layout_has_no_import_cycle() -> None:
    # A package's __init__ re-exporting its own modules is not a cycle of design.
    graph = {
        name: {t for t in targets if not t.startswith(name + ".")}
        for name, targets in _local_graph().items()
    }
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, path)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert cycles == []


def test_layout_dynamodb_parts_depend_on_table_not_on_the_store() -> None:
    for part in ("cleanup", "setup", "login_counters", "items", "user_items"):
        imported = _imports(MODULES[f"sessions_core.dynamodb.{part}"])
        assert "sessions_core.dynamodb.store" not in imported, part


def test_layout_service_client_loads_no_server_code() -> None:
    import subprocess
    import sys

    code = (
        "import sys, sessions_client; "
        "server = ('sessions_core.manager', 'sessions_core.dynamodb', 'handlers', "
        "'aws_lambda_powertools', 'moto', 'ua_parser'); "
        "loaded = [m for m in sys.modules if m.startswith(server)]; "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _strings(path: Path) -> list[str]:
    """The string constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_layout_only_settings_reads_the_environment() -> None:
    for name, path in MODULES.items():
        if name.startswith(("sessions_core", "handlers")) and name != "handlers.settings":
            source = path.read_text(encoding="utf-8")
            assert "os.environ" not in source and "getenv" not in source, name


def test_layout_route_paths_are_spelled_in_one_module() -> None:
    # The route table names every route; nothing else spells a path of the API.
    route = re.compile(r"^/(sessions|me|users)(/|$)")
    owners = {"handlers.route_table"}
    for name, path in MODULES.items():
        if name.startswith(("handlers", "sessions_core")) and name not in owners:
            spelled = [s for s in _strings(path) if route.match(s)]
            assert not spelled, f"{name} spells {spelled}"


def test_layout_no_status_map_outside_the_error_modules() -> None:
    owners = {"sessions_core.errors", "handlers.http_errors"}
    for name, path in MODULES.items():
        if name in owners or not name.startswith(("handlers", "sessions_core", "examples")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict) and len(node.keys) >= 2:
                for side in (node.keys, node.values):
                    statuses = [
                        c
                        for c in side
                        if isinstance(c, ast.Constant)
                        and isinstance(c.value, int)
                        and 400 <= c.value < 600
                    ]
                    assert len(statuses) < len(side), f"{name} maps statuses"
