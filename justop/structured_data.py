"""schema.org JSON-LD and share meta tags, the parts every app shares.

Each app builds its own objects in ``<app>/structured_data.py`` and renders
them in its page's ``{% block head %}`` through its template tags; this
module holds what they have in common: absolute addresses from SITE_URL,
dates with their UTC offset, the Circle and PSE as organizations, breadcrumbs,
and the two renderers (a ``<script type="application/ld+json">`` and a run of
``<meta>`` tags).

The pages carrying these are in the visitors' page cache, so a builder is
given only what the page shows a visitor, or a flag the view decided from
the viewer (a forum's online link goes to people with a place only).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from justop.content import CONVENER
from justop.outbox import absolute

CONTEXT = "https://schema.org"
Data = dict[str, Any]

# As django.utils.html.json_script: no "</script>", "<!--" or "&" can close or
# change the element, whatever a title holds.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def url(path: str) -> str:
    """An absolute address on this site (SITE_URL, never the request's Host)."""
    return absolute(path)


def when(moment: datetime.datetime | datetime.date) -> str:
    """ISO 8601 with the offset of America/New_York, to the second (schema.org
    and Google read "2026-12-05T18:00:00-05:00"; microseconds add nothing)."""
    if isinstance(moment, datetime.datetime):
        return timezone.localtime(moment).replace(microsecond=0).isoformat()
    return moment.isoformat()


def logo_url() -> str:
    return url(static("img/logo.svg"))


def convener() -> Data:
    """Partnership for Southern Equity, which convenes the Circle."""
    return {
        "@type": "Organization",
        "name": CONVENER.name,
        "url": CONVENER.website,
        "email": CONVENER.email,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": CONVENER.street,
            "addressLocality": CONVENER.locality,
            "addressRegion": CONVENER.region,
            "postalCode": CONVENER.postal_code,
            "addressCountry": "US",
        },
        "sameAs": [link for _name, link in CONVENER.social],
    }


def circle() -> Data:
    """The JUST Opportunity Circle, the coalition this site serves."""
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": url("/"),
        "logo": logo_url(),
        "areaServed": {"@type": "Place", "name": "Metro Atlanta, Georgia"},
        "parentOrganization": convener(),
    }


def publisher() -> Data:
    """Who publishes the site's pages: the Circle, with its logo (Google asks
    for a logo on an article's publisher)."""
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": url("/"),
        "logo": {"@type": "ImageObject", "url": logo_url()},
    }


def breadcrumbs(trail: Sequence[tuple[str, str]]) -> Data:
    """A BreadcrumbList from (name, path) pairs, the home page first."""
    items = [(gettext("Home"), "/"), *trail]
    return {
        "@context": CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": url(path)}
            for n, (name, path) in enumerate(items, start=1)
        ],
    }


def json_ld(*objects: Data) -> SafeString:
    """One ``<script type="application/ld+json">`` per object. Empty values
    are left out, so a builder may write ``"image": image_or_empty``."""
    return format_html_join(
        "\n",
        '<script type="application/ld+json">{}</script>',
        ((_dumps(item),) for item in objects),
    )


def _dumps(data: Data) -> SafeString:
    text = json.dumps(_pruned(data), cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_ESCAPES))  # noqa: S308 - escaped above


def _pruned(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v not in ("", None, [], {})}
    if isinstance(value, list | tuple):
        return [_pruned(v) for v in value]
    return value


def meta_tags(tags: Iterable[tuple[str, str, str]]) -> SafeString:
    """``<meta>`` tags from (attribute, name, content): ("property", "og:title",
    ...) for OpenGraph, ("name", "twitter:card", ...) for Twitter and Highwire.
    Tags with no content are left out."""
    return format_html_join(
        "\n",
        '<meta {}="{}" content="{}">',
        ((attr, name, content) for attr, name, content in tags if content),
    )


def share_tags(
    *, kind: str, title: str, description: str, path: str, image: str = "", image_alt: str = ""
) -> SafeString:
    """OpenGraph and the Twitter card for a page, as news posts have them."""
    page = url(path)
    return meta_tags(
        [
            ("property", "og:type", kind),
            ("property", "og:site_name", settings.SITE_NAME),
            ("property", "og:title", title),
            ("property", "og:description", description),
            ("property", "og:url", page),
            ("property", "og:image", image),
            ("property", "og:image:alt", image_alt if image else ""),
            ("name", "twitter:card", "summary_large_image" if image else "summary"),
            ("name", "twitter:title", title),
            ("name", "twitter:description", description),
            ("name", "twitter:image", image),
            ("name", "twitter:image:alt", image_alt if image else ""),
        ]
    )


def canonical(path: str) -> SafeString:
    return format_html('<link rel="canonical" href="{}">', url(path))
