"""The public pages for search engines: only what anyone may see, and
nothing scheduled for later."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from news.models import Post


class PostSitemap(Sitemap[Post]):
    changefreq = "monthly"
    priority = 0.6

    def items(self) -> QuerySet[Post]:
        return Post.objects.published()

    def lastmod(self, item: Post) -> datetime:
        return max(item.updated_at, item.publish_at)


class PageSitemap(Sitemap[str]):
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> list[str]:
        return ["home", "about", "news:list", "volunteer:list", "news:newsletter", "circle:join"]

    def location(self, item: str) -> str:
        return reverse(item)
