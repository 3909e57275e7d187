"""``{% forum_head forum left=left hosts=hosts show_online=has_place %}``:
a forum's share tags and JSON-LD (forums/structured_data.py)."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.safestring import SafeString

from circle.models import Organization
from forums import structured_data
from forums.models import Forum

register = template.Library()


@register.simple_tag
def forum_head(
    forum: Forum,
    *,
    left: int | None = None,
    hosts: Sequence[Organization] = (),
    show_online: bool = False,
) -> SafeString:
    return structured_data.head(
        forum, places_left=left or 0, hosts=hosts, show_online=bool(show_online)
    )
