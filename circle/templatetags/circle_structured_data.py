"""``{% organization_head organization counties %}``: an organization page's
share tags and JSON-LD (circle/structured_data.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString

from circle import structured_data
from circle.models import County, Organization

register = template.Library()


@register.simple_tag
def organization_head(organization: Organization, counties: Iterable[County] = ()) -> SafeString:
    return structured_data.head(organization, counties)
