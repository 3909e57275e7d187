"""Filtered, paginated lists whose results htmx swaps in place (the member
directory, the asks-and-offers board, forums, the research library).

One URL answers both the whole page and, for htmx, only the template's
`results` partial; the response varies on HX-Request so caches keep them apart.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def render_results(
    request: HttpRequest,
    template: str,
    *,
    page: Page[Any],
    prefix: str,
    context: dict[str, Any],
) -> HttpResponse:
    """Render the page, or its #results partial for htmx. prefix is the list's
    id prefix (the pagination links are "<prefix>-page-<n>")."""
    # django-htmx's request.htmx (falsy without the HX-Request header).
    htmx: Any = getattr(request, "htmx", None)
    # htmx restoring history after a cache miss asks for the whole page.
    fragment = bool(htmx) and not htmx.history_restore_request
    context = {
        **context,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "fragment": fragment,
        # After a page link, focus moves to the new results instead of being
        # lost with the link that was swapped away.
        "focus_results": fragment and (htmx.trigger or "").startswith(f"{prefix}-page-"),
    }
    response = render(request, f"{template}#results" if fragment else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
