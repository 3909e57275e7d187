"""The public pages for search engines: only what anyone may see, and
nothing scheduled for later."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from news.models import NewsPost


class PostSitemap(Sitemap[NewsPost]):
    changefreq = "monthly"
    priority = 0.6

    def items(self) -> QuerySet[NewsPost]:
        return NewsPost.objects.published()

    def lastmod(self, item: NewsPost) -> datetime:
        return max(item.updated_at, item.publish_at)


class PageSitemap(Sitemap[str]):
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> list[str]:
        return ["home", "about", "news:list", "volunteer:list", "news:newsletter", "circle:join"]

    def location(self, item: str) -> str:
        return reverse(item)
