"""The library's section of the member home: resources added since the
person's previous visit, among those they may see."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from circle.viewers import viewer_of
from circle.visits import previous_visit
from research.models import Resource
from research.search import listed

SHOWN = 5


def new_since_last_visit(request: HttpRequest) -> dict[str, Any] | None:
    """Three queries: the resources, their topics and organizations."""
    resources = list(
        listed(
            Resource.objects.visible_to(viewer_of(request.user))
            .filter(published_at__gt=previous_visit(request))
            .order_by("-published_at", "-pk")
        )[:SHOWN]
    )
    return {"resources": resources} if resources else None
