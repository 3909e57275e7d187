"""The base of every section of /sitemap.xml: addresses on settings.SITE_URL,
whatever Host the request came with (a crawler reached through another name,
or a forged Host, must not put other addresses in the sitemap)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap


class SiteSitemap[T](Sitemap[T]):
    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site: Any = None) -> str:
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path.rstrip("/")
