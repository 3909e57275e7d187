"""Signed-out people following a link to a members-only page.

A digest, an invitation or a colleague's message links to a forum, a
resource or an organization page that only signed-in people may see. A
visitor who follows it is sent to sign in and comes back to the page
(`?next=`, which allauth accepts only for this site's own paths); a signed-in
person who may not see it still gets 404, so nothing leaks to an outsider.

An access helper that finds nothing it may show calls `refuse`: for an
anonymous person it checks whether the object exists in a state that some
signed-in person could see (published, not a draft) and raises
`SignInRequired`, which `SignInRequiredMiddleware` turns into the redirect.
So a visitor learns that such a page exists, and no more than today about
one that does not (still 404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class SignInRequired(Exception):
    """The page exists, and signing in may show it."""


def refuse(request: HttpRequest, reachable: QuerySet[Any]) -> NoReturn:
    """The answer for an object the viewer may not see: sign in when they
    are anonymous and it is in ``reachable`` (the object's row, in a state
    someone signed in could see), 404 otherwise."""
    user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated and reachable.exists():
        raise SignInRequired
    raise Http404


class SignInRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, SignInRequired):
            return None
        response = redirect_to_login(request.get_full_path())
        # The answer depends on who asks: no shared cache may keep it.
        add_never_cache_headers(response)
        htmx = getattr(request, "htmx", None)
        if htmx and not htmx.history_restore_request:
            # htmx would swap the sign-in page into a fragment: leave the page.
            # (A history restore asks for a whole page: it follows the redirect.)
            htmx_redirect = HttpResponse(status=204)
            htmx_redirect["HX-Redirect"] = response["Location"]
            add_never_cache_headers(htmx_redirect)
            return htmx_redirect
        return response
