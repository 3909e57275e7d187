"""A signed-in person's own page, where signing in lands: what each app
has waiting for them (justop/registry.py member_home_sections)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from circle.viewers import viewer_of
from circle.visits import previous_visit
from justop.registry import member_home_sections


@login_required
@require_safe
def member_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "circle/member_home.html",
        {
            "is_member": viewer_of(request.user).is_member,
            "since": previous_visit(request),
            "sections": member_home_sections(request),
        },
    )
