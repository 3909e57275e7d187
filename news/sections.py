"""What the news app adds to the home page and to the digests."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.text import Truncator

from justop.digests import Period
from justop.translated import item_texts
from news.models import NewsPost


def latest_on_home(request: HttpRequest) -> dict[str, Any] | None:
    posts = list(NewsPost.objects.published()[:3])
    return {"posts": posts} if posts else None


def published_in(period: Period) -> list[dict[str, str]]:
    """Posts published in the period: public, the same for everyone."""
    posts = NewsPost.objects.published().filter(
        publish_at__gte=period.start, publish_at__lt=period.end
    )
    items = []
    for post in posts.order_by("publish_at"):
        texts = item_texts(post, title="title", summary="summary")
        texts["summary"] = Truncator(texts["summary"]).words(40)
        items.append(
            texts | {"url": post.get_absolute_url(), "meta": str(post.get_category_display())}
        )
    return items
