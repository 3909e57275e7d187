from datetime import date

from django import template

register = template.Library()


@register.filter
def isodate(value: str) -> date | str:
    """A date stored as ISO text in an email's context, for the |date filter."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return value
