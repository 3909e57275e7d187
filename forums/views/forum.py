"""Forum pages: the lists, a forum's page, and its materials."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from circle.access import current_user
from circle.viewers import viewer_of
from forums import access, calendar, listing, registration
from forums.forms import ForumFilterForm, GuestForm
from forums.models import Forum, Registration
from justop import documents
from justop.pagecache import visitor_cache

LIST_TEMPLATE = "forums/forum_list.html"


def _is_fragment(request: HttpRequest) -> bool:
    htmx: Any = getattr(request, "htmx", None)
    # htmx restoring history after a cache miss asks for the whole page.
    return bool(htmx) and not htmx.history_restore_request


def _list(request: HttpRequest, *, past: bool) -> HttpResponse:
    found = listing.search(viewer_of(request.user), request.GET, past=past)
    fragment = _is_fragment(request)
    context = {
        "form": found.form,
        "page": found.page,
        "filtered": found.filtered,
        "past": past,
        "fragment": fragment,
    }
    response = render(request, f"{LIST_TEMPLATE}#results" if fragment else LIST_TEMPLATE, context)
    # One URL answers a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


# The hosts to filter by are organizations.
LIST_CACHE = visitor_cache(
    shows=("forums", "organizations"), query=(*ForumFilterForm.base_fields, "page")
)


@LIST_CACHE
def forum_list(request: HttpRequest) -> HttpResponse:
    return _list(request, past=False)


@LIST_CACHE
def past_list(request: HttpRequest) -> HttpResponse:
    return _list(request, past=True)


def own_registration(request: HttpRequest, forum: Forum) -> Registration | None:
    user = current_user(request)
    if user is None:
        return None
    return forum.registrations.filter(user=user).first()


def rsvp_context(request: HttpRequest, forum: Forum) -> dict[str, Any]:
    mine = own_registration(request, forum)
    left = registration.places_left(forum)
    return {
        "forum": forum,
        "mine": mine,
        "left": left,
        "has_place": mine is not None and mine.status == Registration.Status.CONFIRMED,
        "signed_in": current_user(request) is not None,
    }


@visitor_cache(shows=("forums", "organizations"))
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    forum = access.get_forum_for_viewer(request, slug)
    context = rsvp_context(request, forum) | {
        "agenda": list(forum.agenda.all()),
        "materials": list(forum.materials.all()),
        # An organization that left the Circle is no longer named (its page is gone).
        # (The mypy plugin loses the manager's queryset methods on a
        # modeltranslation model's relations, typeddjango/django-stubs#1023.)
        "hosts": list(forum.hosts.active().order_by("name")),  # type: ignore[attr-defined]
        "guest_form": GuestForm(),
        "occasion": calendar.occasion(forum, reverse("forums:forum_ics", args=[forum.slug])),
    }
    return render(request, "forums/forum_detail.html", context)


def material(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    """A file of a forum, for whoever may see the forum, as a download
    (ranges, HEAD and the cache policy of justop.documents.file_response).
    Never shared by caches: a forum's audience may change."""
    found = access.get_material_for_viewer(request, slug, pk)
    return documents.file_response(
        request,
        found.file,
        public=False,
        filename=found.download_name(),
        content_type=documents.content_type(found.file_extension),
    )
