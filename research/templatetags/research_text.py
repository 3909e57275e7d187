"""A resource's title and abstract in the page's language, each marked with
the language it is really in: {% resource_text resource "title" %} and
<div{% with lang=resource|text_lang:"abstract" %}…>.

As {% translated %} does (Spanish page, English text: lang="en"), and one
more case: a resource in Spanish was often described once, in Spanish, and
that text is its English version too (migration 0007 keeps it so). An
English page showing the same text as the resource's own language's column
marks it with that language."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from justop import translated as content
from research.models import Resource

register = template.Library()


def language_of(resource: Resource, field: str) -> str:
    """The language of the text the page shows, when it is not the page's
    ("" when it is)."""
    shown = content.shown(resource, field)
    if shown.fallback:
        return shown.fallback
    own = resource.language
    if (
        own != content.reading()
        and shown.text
        and shown.text == getattr(resource, f"{field}_{own}")
    ):
        return own
    return ""


@register.simple_tag
def resource_text(resource: Resource, field: str) -> SafeString:
    text = content.shown(resource, field).text
    if language := language_of(resource, field):
        return format_html('<span lang="{}">{}</span>', language, text)
    return format_html("{}", text)


@register.filter
def text_lang(resource: Resource, field: str) -> str:
    return language_of(resource, field)
