"""Apps depend downward only (docs/architecture.md): the feature apps may
import circle and justop, circle may import justop, justop imports none of
them. Cross-app features go through justop/registry.py."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("justop", "circle", "asks", "forums", "research", "news", "volunteering")
ALLOWED = {
    "justop": set(),
    "circle": {"justop"},
    "asks": {"justop", "circle"},
    "forums": {"justop", "circle"},
    "research": {"justop", "circle"},
    "news": {"justop", "circle"},
    "volunteering": {"justop", "circle"},
}


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in APPS)
    return found


@pytest.mark.parametrize("app", APPS)
def test_the_app_imports_only_the_apps_below_it(app):
    wrong = {}
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        bad = imported_apps(path) - ALLOWED[app] - {app}
        if bad:
            wrong[str(path.relative_to(ROOT))] = sorted(bad)
    assert not wrong, f"imports against the dependency direction: {wrong}"


# --- No import cycles inside an app --------------------------------------------
# Every import counts, at module level or inside a function (a deferred import
# hides a cycle, it does not remove it), except those under `if TYPE_CHECKING:`,
# which never run. A package's __init__ re-exporting its own submodules is how
# a package presents itself, not a cycle: edges from a package to the modules
# inside it are left out.


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph(app: str) -> dict[str, set[str]]:
    """Module → the modules of the same app it imports."""
    paths = {
        module_name(path): path
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in runtime_imports(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from pkg import name` imports the submodule pkg.name when there is one.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in paths else base
                    for alias in node.names
                ]
            for target in targets:
                while target and target not in paths:
                    target = target.rpartition(".")[0]
                if not target or target == name:
                    continue
                if path.name == "__init__.py" and target.startswith(name + "."):
                    continue
                graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_the_cycle_finder_sees_a_cycle_through_a_function_level_import(tmp_path):
    graph = {"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": {"a.x"}}
    assert cycles(graph) == [["a.x", "a.y", "a.z"]]
    deferred = ast.parse("def f():\n    from a import x\n")
    hidden = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from a import x\n")
    assert len(runtime_imports(deferred)) == 1
    assert len(runtime_imports(hidden)) == 1  # only the typing import itself


@pytest.mark.parametrize("app", APPS)
def test_the_modules_of_an_app_do_not_import_each_other_in_a_cycle(app):
    assert cycles(import_graph(app)) == [], "import cycles (break them by moving code down)"
