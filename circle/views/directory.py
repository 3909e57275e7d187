"""The member directory: members find each other's organizations."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from circle import directory as directory_search
from circle.access import member_required

TEMPLATE = "circle/directory.html"
PAGE_LINK_PREFIX = "directory-page-"  # ids of the pagination links


@member_required
def directory(request: HttpRequest) -> HttpResponse:
    found = directory_search.search(request.GET)
    # django-htmx's request.htmx (falsy without the HX-Request header).
    htmx: Any = getattr(request, "htmx", None)
    # htmx restoring history after a cache miss asks for the whole page.
    fragment = bool(htmx) and not htmx.history_restore_request
    context = {
        "form": found.form,
        "page": found.page,
        "page_range": found.page.paginator.get_elided_page_range(found.page.number),
        "filtered": found.filtered,
        "fragment": fragment,
        # After a page link, focus moves to the new results instead of being
        # lost with the link that was swapped away.
        "focus_results": fragment and (htmx.trigger or "").startswith(PAGE_LINK_PREFIX),
    }
    response = render(request, f"{TEMPLATE}#results" if fragment else TEMPLATE, context)
    # One URL answers a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
