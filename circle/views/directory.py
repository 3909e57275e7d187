"""The member directory: members find each other's organizations."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from circle import directory as directory_search
from circle.access import member_required
from justop.listing import render_results


@member_required
def directory(request: HttpRequest) -> HttpResponse:
    found = directory_search.search(request.GET)
    return render_results(
        request,
        "circle/directory.html",
        page=found.page,
        prefix="directory",
        context={"form": found.form, "filtered": found.filtered},
    )
