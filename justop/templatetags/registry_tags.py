"""Template access to what apps registered for shared navigation."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from justop import registry

register = template.Library()


@register.simple_tag
def manage_pages(organization: Any) -> list[dict[str, Any]]:
    """The extra tabs of an organization's management pages, as label and url."""
    return [
        {
            "key": page.key,
            "label": page.label,
            "url": reverse(page.url_name, args=[organization.slug]),
        }
        for page in registry.manage_pages()
    ]


@register.simple_tag
def nav_links(is_member: bool) -> list[dict[str, Any]]:
    """The sections apps add to the main menu, for a member or not."""
    return [
        {
            "key": link.key,
            "label": link.label,
            "url": reverse(link.url_name),
            "members_only": link.members_only,
        }
        for link in registry.nav_links()
        if is_member or not link.members_only
    ]
