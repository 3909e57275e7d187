"""The continuum map, for members: coverage per stage, county and side, and the gaps."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from circle.access import member_required
from circle.continuum import build_map
from circle.viewers import viewer_of


@member_required
def continuum(request: HttpRequest) -> HttpResponse:
    return render(
        request, "circle/continuum.html", {"continuum": build_map(viewer_of(request.user))}
    )
