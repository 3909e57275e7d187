"""``{{ moment|iso }}``: a date or time for a ``datetime`` attribute.

``|date:"c"`` prints microseconds (``2026-12-04T06:04:07.201847-05:00``),
which HTML's date-time syntax refuses (a fraction of a second has at most
three digits); this prints the time in the site's zone to the second.
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def iso(value: object) -> str:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""
