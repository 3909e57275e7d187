"""Calendar links in templates: subscribe to a feed (webcal:// and Google
Calendar), add one event (Google, Outlook, the .ics file)."""

from __future__ import annotations

from typing import Any

from django import template

from justop import calendars
from justop.outbox import absolute

register = template.Library()


@register.simple_tag
def feed_address(path: str) -> str:
    """The feed's https address on the portal's own host (SITE_URL)."""
    return absolute(path)


@register.simple_tag
def webcal(path: str) -> str:
    return calendars.webcal(path)


@register.simple_tag
def google_subscribe(path: str) -> str:
    return calendars.google_subscribe(path)


@register.inclusion_tag("includes/add_to_calendar.html")
def add_to_calendar(occasion: calendars.Occasion) -> dict[str, Any]:
    return {"occasion": occasion}
