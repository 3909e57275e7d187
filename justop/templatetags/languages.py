"""The page in each language: {% language_alternates %} writes the
hreflang links of <head>; {% address_without_language %} is the way back
for the language switcher (justop/languages.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from justop import languages

register = template.Library()


def _site() -> str:
    return settings.SITE_URL.rstrip("/")


@register.simple_tag(takes_context=True)
def language_alternates(context: Any) -> SafeString:
    request = context.get("request")
    if request is None:
        return SafeString("")
    versions = [(code, code) for code in languages.codes()] + [("x-default", None)]
    return format_html_join(
        "\n  ",
        '<link rel="alternate" hreflang="{}" href="{}">',
        (
            (hreflang, _site() + languages.address_in(request.path, request.GET, code))
            for hreflang, code in versions
        ),
    )


@register.simple_tag(takes_context=True)
def address_without_language(context: Any) -> str:
    request = context.get("request")
    if request is None:
        return "/"
    return languages.strip_from_address(request.get_full_path())
