"""Responses made for one person stay out of shared caches.

A page built for a signed-in member (the directory, an organization's
manage pages, the account pages, a members-only file) names people and
things a visitor may not see. Without a Cache-Control saying so, a proxy or
CDN between the portal and a whole office may keep it and hand it to the
next person who asks. So every such response says ``private``, and, unless
the view gave it a lifetime of its own, ``no-cache``: the browser asks again
(a signed-out person going Back gets the sign-in page, not the last page).

A response is personal when the request carries a cookie other than the
CSRF and language ones (the page cache's definition of a visitor, whose
pages stay shared) and it was made for a signed-in person or varies on the
cookie, or when the response sets or deletes such a cookie. A view that
said ``public`` or ``no-store`` chose already: that choice is kept.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import has_vary_header, patch_cache_control

from justop.pagecache import neutral_cookie_names

Middleware = Callable[[HttpRequest], HttpResponseBase]
# A view that says one of these chose who may keep the response: "public"
# shares it on purpose (a public calendar feed, a public file); "no-store"
# lets nobody keep it (a person's data export).
_CHOSEN = {"public", "no-store"}
# Directives that already say how long a copy may be used.
_LIFETIME = ("no-cache", "max-age")


def is_personal(request: HttpRequest, response: HttpResponseBase) -> bool:
    neutral = neutral_cookie_names()
    if set(response.cookies) - neutral:
        return True
    if set(request.COOKIES) <= neutral:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated) or has_vary_header(response, "Cookie")


def _directives(response: HttpResponseBase) -> set[str]:
    header = response.get("Cache-Control", "")
    return {part.split("=", 1)[0].strip().lower() for part in header.split(",") if part.strip()}


class PrivateCacheMiddleware:
    """Marks personal responses ``private`` (see the module's docstring).
    Listed first in MIDDLEWARE, so it sees the response last, with the
    session's Vary and cookies already on it."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not is_personal(request, response):
            return response
        directives = _directives(response)
        if directives & _CHOSEN:
            return response
        if any(name in directives for name in _LIFETIME):
            patch_cache_control(response, private=True)
        else:
            patch_cache_control(response, private=True, no_cache=True)
        return response
