"""The base of every section of /sitemap.xml: addresses on settings.SITE_URL,
whatever Host the request came with (a crawler reached through another name,
or a forged Host, must not put other addresses in the sitemap).

Each page is listed in each language, `?lang=en` and `?lang=es`
(justop/languages.py), with its versions as hreflang alternates, and the
bare address, which follows the browser's language, as x-default."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap

from justop import languages


class SiteSitemap[T](Sitemap[T]):
    i18n = True
    alternates = True

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site: Any = None) -> str:
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path.rstrip("/")

    # Sitemap's own steps (with i18n, each item is a pair (object, language)),
    # which Django's stubs leave out.
    def _location(self, item: Any, force_lang_code: str | None = None) -> str:
        # No URL here depends on the language: the parameter says it.
        obj, language = item
        return languages.address_in(self.location(obj), "", force_lang_code or language)

    def _urls(self, page: Any, protocol: str, domain: str) -> list[dict[str, Any]]:
        urls: list[dict[str, Any]] = super()._urls(page, protocol, domain)  # type: ignore[misc]
        for url in urls:
            obj, _language = url["item"]
            bare = languages.address_in(self.location(obj), "", None)
            url["alternates"].append(
                {"location": f"{protocol}://{domain}{bare}", "lang_code": "x-default"}
            )
        return urls
