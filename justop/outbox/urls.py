"""The site's addresses in email: links made absolute, and the domain that
names the site in Message-IDs and List-Ids."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def absolute(url: str) -> str:
    return url if "://" in url else f"{settings.SITE_URL}{url}"


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"
