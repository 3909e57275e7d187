"""The scripts that run the portal from outside (make audit, make
screenshots) look pages up in the database with snippets of code: each
snippet runs against today's models and finds the page in the demo data."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def load(name: str) -> ModuleType:
    path = ROOT / "scripts" / name
    loader = importlib.machinery.SourceFileLoader(f"script_{name.replace('.', '_')}", str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.mark.parametrize("script", ["audit", "screenshots.py"])
def test_every_page_lookup_finds_its_page_in_the_demo_data(db, script, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo")
    for label, snippet in load(script).LOOKUPS.items():
        found: dict[str, object] = {}
        exec(snippet, found)  # noqa: S102 (the script's own fixed code)
        page = found["p"]
        assert page is not None, f"{script}: {label} found nothing"
        assert page.get_absolute_url().startswith("/"), label  # type: ignore[attr-defined]
