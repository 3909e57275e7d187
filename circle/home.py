"""The Circle's sections of the public home page: the continuum in counts,
the Circle's figures and the wall of member organizations."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import ngettext

from circle.continuum import public_summary
from circle.models import Organization
from justop.registry import home_figures

# The wall shows this many organizations at most, so the home page stays one
# query for it however large the Circle grows.
WALL_SIZE = 24


def continuum_section(request: HttpRequest) -> dict[str, Any] | None:
    """Counts per stage, no names: public facts about the Circle. Hidden
    until the Circle has a member organization."""
    organizations = Organization.objects.active().count()
    if not organizations:
        return None
    return {"organizations": organizations, "stages": public_summary()}


def member_organizations(request: HttpRequest) -> int:
    """The figure: active organizations only (applicants and deactivated
    ones are not members)."""
    return Organization.objects.active().count()


def member_organizations_label(count: int) -> str:
    return ngettext("member organization", "member organizations", count)


def figures_section(request: HttpRequest) -> dict[str, Any] | None:
    """The figures every app registered, as large numbers; hidden while
    they are all zero (a Circle with nothing to count yet)."""
    figures = home_figures(request)
    if not any(figure.count for figure in figures):
        return None
    return {"figures": figures}


def logo_wall_section(request: HttpRequest) -> dict[str, Any] | None:
    """Active member organizations by name, each linking to its page: its
    logo where it has one, else its name in a tile. Inactive organizations
    (applicants, deactivated) never show; their pages answer 404 to visitors."""
    organizations = list(
        Organization.objects.active()
        .only("name", "slug", "logo")
        .order_by("name", "pk")[:WALL_SIZE]
    )
    if not organizations:
        return None
    return {"organizations": organizations}
