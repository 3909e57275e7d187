"""Check-in at the door, for staff on a phone: find a person, tap, next."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from circle.staff import staff_required
from forums import checkin
from forums.access import get_forum_for_checkin
from forums.forms import WalkInForm
from forums.models import Forum

TEMPLATE = "forums/checkin.html"


def _context(forum: Forum, q: str, **extra: Any) -> dict[str, Any]:
    counts: Any = Forum.objects.with_counts().get(pk=forum.pk)
    return {
        "forum": forum,
        "q": q,
        "results": list(checkin.find(forum, q)) if q else [],
        "attended": counts.attended_count,
        "registered": counts.registered_count,
        "walk_in_form": WalkInForm(),
        **extra,
    }


@staff_required
def checkin_page(request: HttpRequest, slug: str) -> HttpResponse:
    forum = get_forum_for_checkin(slug)
    # A NUL is dropped (PostgreSQL refuses it in text), the rest searched.
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    context = _context(forum, q)
    if getattr(request, "htmx", None):
        return render(request, f"{TEMPLATE}#results", context)
    return render(request, TEMPLATE, context)


@staff_required
@require_POST
def mark(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    forum = get_forum_for_checkin(slug)
    found = get_object_or_404(forum.registrations, pk=pk)
    checkin.mark(found, present=request.POST.get("present") != "no")
    q = request.POST.get("q", "")
    if getattr(request, "htmx", None):
        return render(request, f"{TEMPLATE}#person", {"forum": forum, "person": found, "q": q})
    return redirect(reverse("forums:checkin", args=[forum.slug]) + "?" + urlencode({"q": q}))


@staff_required
@require_POST
def walk_in(request: HttpRequest, slug: str) -> HttpResponse:
    forum = get_forum_for_checkin(slug)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        return render(request, TEMPLATE, _context(forum, "", walk_in_form=form), status=400)
    person = checkin.add_walk_in(
        forum,
        name=form.cleaned_data["name"],
        email_address=form.cleaned_data["email"],
        organization=form.cleaned_data["organization"],
    )
    query = urlencode({"q": person.email, "added": person.pk})
    return redirect(reverse("forums:checkin", args=[forum.slug]) + "?" + query)
