"""The Circle's section of the public home page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from circle.continuum import public_summary
from circle.models import Organization


def continuum_section(request: HttpRequest) -> dict[str, Any] | None:
    """Counts per stage, no names: public facts about the Circle. Hidden
    until the Circle has a member organization."""
    organizations = Organization.objects.active().count()
    if not organizations:
        return None
    return {"organizations": organizations, "stages": public_summary()}
