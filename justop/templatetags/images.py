"""Images stored as renditions (justop.images), on pages.

``{% responsive_image org.logo sizes="96px" alt=org.name class="org-logo" %}``
renders a ``<picture>``: WebP for browsers that take it, the JPEG or PNG
fallback for the others, every width in ``srcset`` and the size in ``width``
and ``height`` so the page does not shift while it loads. ``width``/``height``
arguments set the box instead (a logo shown in a 96 px square). ``via`` is
the address of a view that serves the image (a private cover): each
rendition is then asked of it as ``?size=<width>&format=<ext>``.

An image stored before re-encoding has no renditions: a plain ``<img>``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.db.models.fields.files import FieldFile
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from justop.images import Rendition, renditions
from justop.outbox import absolute

register = template.Library()


def _url(image: FieldFile, name: str, via: str) -> str:
    if via:
        width = name.rsplit("-", 1)[-1].split("x", 1)[0]
        return f"{via}?{urlencode({'size': width, 'format': name.rsplit('.', 1)[-1]})}"
    return str(image.storage.url(name))


def _srcset(image: FieldFile, found: list[Rendition], via: str, *, webp: bool) -> str:
    return ", ".join(
        f"{_url(image, r.webp if webp else r.fallback, via)} {r.width}w" for r in found
    )


def _attributes(attrs: dict[str, Any]) -> SafeString:
    return format_html_join("", ' {}="{}"', sorted((k, v) for k, v in attrs.items() if v))


@register.simple_tag
def responsive_image(
    image: FieldFile | None,
    *,
    alt: str,
    sizes: str = "100vw",
    via: str = "",
    loading: str = "lazy",
    **attrs: Any,
) -> SafeString:
    if not image:
        return SafeString("")
    found = renditions(image.name or "")
    if not found:
        return format_html(
            '<img src="{}" alt="{}" loading="{}"{}>',
            via or image.url,
            alt,
            loading,
            _attributes(attrs),
        )
    largest = found[-1]
    box = {"width": attrs.pop("width", None), "height": attrs.pop("height", None)}
    if not (box["width"] and box["height"]):
        box = {"width": largest.width, "height": largest.height}
    extra = _attributes(attrs)
    return format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">'
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"'
        ' loading="{}" decoding="async"{}></picture>',
        _srcset(image, found, via, webp=True),
        sizes,
        _url(image, largest.fallback, via),
        _srcset(image, found, via, webp=False),
        sizes,
        box["width"],
        box["height"],
        alt,
        loading,
        extra,
    )


@register.filter
def share_image_url(image: FieldFile | None) -> str:
    """The absolute address of the largest JPEG or PNG, for og:image and
    twitter:image (a storage that answers absolute URLs is left as it is)."""
    if not image:
        return ""
    found = renditions(image.name or "")
    url = image.storage.url(found[-1].fallback) if found else image.url
    return absolute(str(url))
