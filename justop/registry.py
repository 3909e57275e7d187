"""Places where apps contribute to cross-app pages without importing each other.

An app registers its contributions in its AppConfig.ready(); the home page,
organization pages and digests only read the registry. Each contribution
must apply the app's own visibility rule for the person it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class HomeSection:
    key: str
    template: str
    # Returns the section's context for this request, or None to hide it.
    get_context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100


_home_sections: dict[str, HomeSection] = {}


def register_home_section(section: HomeSection) -> None:
    _home_sections[section.key] = section


def home_sections(request: HttpRequest) -> list[tuple[HomeSection, dict[str, Any]]]:
    """The sections to show on the home page, in order, with their context."""
    shown = []
    for section in sorted(_home_sections.values(), key=lambda s: (s.order, s.key)):
        context = section.get_context(request)
        if context is not None:
            shown.append((section, context))
    return shown


# --- Demo data ------------------------------------------------------------------
# seed_demo runs the seeders in order; each must be idempotent (running the
# command twice leaves the same data) and returns lines to print.


@dataclass(frozen=True)
class DemoSeeder:
    key: str
    seed: Callable[..., list[str]]
    order: int = 100


_demo_seeders: dict[str, DemoSeeder] = {}


def register_demo_seeder(seeder: DemoSeeder) -> None:
    _demo_seeders[seeder.key] = seeder


def demo_seeders() -> list[DemoSeeder]:
    return sorted(_demo_seeders.values(), key=lambda s: (s.order, s.key))
