"""Public resources and topic pages for search engines."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max, Q, QuerySet

from circle.viewers import ANONYMOUS
from justop.sitemaps import SiteSitemap
from research.models import Resource, Topic


class ResourceSitemap(SiteSitemap[Resource]):
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


class TopicSitemap(SiteSitemap[Topic]):
    """A topic page changes when one of its public resources does: its
    lastmod is the newest of them (none: no lastmod)."""

    changefreq = "weekly"
    priority = 0.5

    def items(self) -> QuerySet[Topic]:
        public = Resource.objects.visible_to(ANONYMOUS).values("pk")
        return Topic.objects.annotate(
            changed=Max("resource__updated_at", filter=Q(resource__in=public))
        ).order_by("order", "key")

    def lastmod(self, item: Topic) -> datetime | None:
        changed: datetime | None = getattr(item, "changed", None)
        return changed
