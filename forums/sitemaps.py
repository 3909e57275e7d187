"""Public forums for search engines, upcoming and past (a past forum's page
keeps its agenda, materials and follow-up)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from circle.viewers import ANONYMOUS
from forums.models import Forum
from justop.sitemaps import SiteSitemap


class ForumSitemap(SiteSitemap[Forum]):
    changefreq = "weekly"
    priority = 0.6

    def items(self) -> QuerySet[Forum]:
        return (
            Forum.objects.visible_to(ANONYMOUS)
            .filter(status=Forum.Status.PUBLISHED)
            .order_by("-starts_at", "pk")
        )

    def lastmod(self, item: Forum) -> datetime:
        return item.updated_at
