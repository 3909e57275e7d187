"""Calendar files: one forum, the public feed, a person's secret feed."""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse

from circle.access import current_user
from circle.viewers import viewer_of
from forums import calendar
from forums.access import get_forum_for_viewer
from forums.models import Registration
from justop import calendars as ics
from justop.pagecache import visitor_cache
from justop.syndication import conditional

TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def forum_ics(request: HttpRequest, slug: str) -> HttpResponse:
    forum = get_forum_for_viewer(request, slug)
    user = current_user(request)
    registered = (
        user is not None
        and forum.registrations.filter(user=user, status=Registration.Status.CONFIRMED).exists()
    )
    return ics.response(
        calendar.forum_file(forum, registered=registered), f"{forum.slug}.ics", private=True
    )


@visitor_cache(shows=("forums",))
def public_feed(request: HttpRequest) -> HttpResponse:
    # The page cache answers If-None-Match with its own ETag for the
    # visitors it serves; this answers everyone else, by the content's.
    return conditional(request, ics.response(calendar.public_feed(), "forums.ics", private=False))


def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Calendar clients cannot sign in: the secret address is the key. It
    shows the forums the person has a place at and may still see."""
    # Anything not shaped like a token (calendar_token: URL-safe base64) is
    # not found, without a lookup (a NUL would break the query).
    user = calendar.user_of_token(token) if TOKEN.fullmatch(token) else None
    if user is None:
        raise Http404
    return ics.response(calendar.personal_feed(viewer_of(user)), "my-forums.ics", private=True)
