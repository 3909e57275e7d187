"""The public pages for search engines: only what anyone may see, and
nothing scheduled for later."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max, QuerySet
from django.urls import reverse

from justop.sitemaps import SiteSitemap
from news.models import NewsPost


class PostSitemap(SiteSitemap[NewsPost]):
    changefreq = "monthly"
    priority = 0.6

    def items(self) -> QuerySet[NewsPost]:
        return NewsPost.objects.published().order_by("-publish_at", "pk")

    def lastmod(self, item: NewsPost) -> datetime:
        return max(item.updated_at, item.publish_at)


class PageSitemap(SiteSitemap[str]):
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> list[str]:
        return [
            "home",
            "about",
            "news:list",
            "forums:list",
            "forums:past",
            "research:library",
            "volunteer:list",
            "news:newsletter",
            "circle:join",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class CategorySitemap(SiteSitemap[str]):
    """The category pages that have published posts; each changes with its
    newest post."""

    changefreq = "weekly"
    priority = 0.5

    def items(self) -> list[str]:
        self._changed: dict[str, datetime] = dict(
            NewsPost.objects.published()
            .values("category")
            .annotate(changed=Max("updated_at"))
            .values_list("category", "changed")
        )
        return [c for c in NewsPost.Category.values if c in self._changed]

    def location(self, item: str) -> str:
        return reverse("news:category", args=[item])

    def lastmod(self, item: str) -> datetime:
        changed: datetime = self._changed[item]
        return changed
