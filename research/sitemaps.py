"""Public resources and topic pages for search engines."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from circle.viewers import ANONYMOUS
from research.models import Resource, Topic


class ResourceSitemap(Sitemap[Resource]):
    changefreq = "monthly"
    priority = 0.6

    def items(self) -> QuerySet[Resource]:
        return (
            Resource.objects.visible_to(ANONYMOUS)
            .defer("extracted_text", "search_vector", "rank_vector")
            .order_by("pk")
        )

    def lastmod(self, item: Resource) -> datetime:
        return item.updated_at


class TopicSitemap(Sitemap[Topic]):
    changefreq = "weekly"
    priority = 0.5

    def items(self) -> QuerySet[Topic]:
        return Topic.objects.all()
