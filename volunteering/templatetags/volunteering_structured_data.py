"""``{% opportunity_head opportunity shifts %}``: an opportunity page's share
tags and JSON-LD, an Event per upcoming shift (volunteering/structured_data.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString

from volunteering import structured_data
from volunteering.models import Opportunity

register = template.Library()


@register.simple_tag
def opportunity_head(opportunity: Opportunity, shifts: Iterable[dict[str, Any]] = ()) -> SafeString:
    return structured_data.head(opportunity, shifts)
