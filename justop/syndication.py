"""Conditional GET and one Cache-Control for the feeds (news RSS and Atom,
forum calendars), which readers and calendar apps poll.

``public, no-cache``: anyone may keep a copy, but asks again before using
it. With the ETag and Last-Modified below, asking again costs a 304 and no
body, and a new post or a cancelled forum reaches a subscriber at their next
poll instead of up to 15 minutes later from a shared cache (``max-age=900``
with ``no-cache`` said both at once; the page cache writes ``no-cache`` on
everything it keeps, so this is also what a cached feed says)."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

FEED_CACHE_CONTROL = "public, no-cache"


def conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The response, or 304 when the client holds it already: an ETag of
    the content (unless one is set) and the Last-Modified the view set (its
    newest item). If-None-Match wins over If-Modified-Since (RFC 9110), so a
    client that sends both notices a removed item too."""
    if response.status_code != 200:
        return response
    if not response.has_header("ETag"):
        digest = hashlib.sha256(response.content).hexdigest()[:32]
        response["ETag"] = f'"{digest}"'
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    not_modified = get_conditional_response(
        request, etag=response["ETag"], last_modified=last_modified, response=response
    )
    return not_modified or response
