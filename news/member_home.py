"""The news' section of the member home: posts published since the
person's previous visit."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from circle.viewers import viewer_of
from circle.visits import previous_visit
from news.models import NewsPost

SHOWN = 5


def new_since_last_visit(request: HttpRequest) -> dict[str, Any] | None:
    posts = list(
        NewsPost.objects.visible_to(viewer_of(request.user))
        .filter(publish_at__gt=previous_visit(request))
        .order_by("-publish_at", "-pk")[:SHOWN]
    )
    return {"posts": posts} if posts else None
