"""Content fields in the page's language: {% translated post "title" %}
prints the text, inside <span lang="en"> when it fell back to English;
{% only_in_english post "title" "body" %} prints the note that says so."""

from __future__ import annotations

from django import template
from django.db.models import Model
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from justop import translated as content

register = template.Library()


@register.simple_tag
def translated(obj: Model, field: str) -> SafeString:
    shown = content.shown(obj, field)
    if shown.fallback:
        return format_html('<span lang="{}">{}</span>', shown.fallback, shown.text)
    return format_html("{}", shown.text)


@register.simple_tag
def translated_text(obj: Model, field: str) -> str:
    """The text alone, for attributes and titles (where no element can say
    its language)."""
    return content.shown(obj, field).text


@register.simple_tag
def only_in_english(obj: Model, *fields: str) -> SafeString:
    if not content.missing(obj, *fields):
        return SafeString("")
    return format_html(
        '<p class="meta only-in-english">{}</p>', gettext("Only available in English.")
    )


@register.filter
def fell_back(obj: Model, field: str) -> str:
    """The language a field fell back to ("" when it did not), for
    lang attributes on blocks: <div{% if post|fell_back:"body" %} lang="en"…"""
    return content.shown(obj, field).fallback
