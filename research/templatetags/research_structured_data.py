"""``{% resource_head resource %}``: a resource page's share tags, citation
tags and JSON-LD (research/structured_data.py)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from research import structured_data
from research.models import Resource

register = template.Library()


@register.simple_tag
def resource_head(resource: Resource) -> SafeString:
    return structured_data.head(resource)
