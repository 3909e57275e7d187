from datetime import date, datetime

from django import template

register = template.Library()


@register.filter
def isodate(value: str) -> date | str:
    """A date stored as ISO text in an email's context, for the |date filter."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return value


@register.filter
def isodatetime(value: str) -> datetime | str:
    """A moment stored as ISO text (with its offset) in an email's context."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
