"""The forums' figure on the home page: forums held."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import ngettext

from circle.viewers import viewer_of
from forums.models import Forum


def forums_held(request: HttpRequest) -> int:
    """Published forums that have ended, of those the person may see (drafts
    and cancelled forums were not held)."""
    return (
        Forum.objects.visible_to(viewer_of(request.user))
        .filter(status=Forum.Status.PUBLISHED)
        .past()
        .count()
    )


def forums_held_label(count: int) -> str:
    return ngettext("forum held", "forums held", count)
