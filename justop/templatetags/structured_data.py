"""``{% json_ld data %}``: schema.org data as a ``<script type="application/ld+json">``,
escaped so no value can close the element (justop/structured_data.py).
``{% home_structured_data %}``: the home page's Organization (the Circle,
convened by PSE)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from justop import structured_data

register = template.Library()


@register.simple_tag
def json_ld(data: dict[str, Any]) -> SafeString:
    return structured_data.json_ld(data)


@register.simple_tag
def home_structured_data() -> SafeString:
    return structured_data.json_ld(
        {"@context": structured_data.CONTEXT, **structured_data.circle()}
    )
