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
