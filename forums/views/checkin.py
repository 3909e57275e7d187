"""Check-in at the door, for staff on a phone: everyone registered, by name
and a page at a time, or found by name or email; tap, next."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from circle.staff import staff_required
from forums import checkin
from forums.access import get_forum_for_checkin
from forums.forms import WalkInForm
from forums.models import Forum

TEMPLATE = "forums/checkin.html"


def _counts(forum: Forum) -> dict[str, int]:
    counts: Any = Forum.objects.with_counts().get(pk=forum.pk)
    return {"attended": counts.attended_count, "registered": counts.registered_count}


def _context(forum: Forum, q: str, page_number: str = "", **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"forum": forum, "q": q, "walk_in_form": WalkInForm()}
    if q:
        context["results"] = list(checkin.find(forum, q))
    else:
        # get_page turns a page number that is not one into the nearest page.
        page = Paginator(checkin.expected(forum), checkin.PER_PAGE).get_page(page_number)
        context |= {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "results": list(page.object_list),
        }
    return {**context, **_counts(forum), **extra}


def _page_number(request: HttpRequest) -> str:
    return request.GET.get("page", "")[:10]


@staff_required
def checkin_page(request: HttpRequest, slug: str) -> HttpResponse:
    forum = get_forum_for_checkin(slug)
    # A NUL is dropped (PostgreSQL refuses it in text), the rest searched.
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    context = _context(forum, q, _page_number(request))
    if getattr(request, "htmx", None):
        return render(request, f"{TEMPLATE}#results", context)
    return render(request, TEMPLATE, context)


@staff_required
@require_POST
def mark(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    forum = get_forum_for_checkin(slug)
    found = get_object_or_404(forum.registrations, pk=pk)
    checkin.mark(found, present=request.POST.get("present") != "no")
    q = request.POST.get("q", "")[:100]
    page = request.POST.get("page", "")[:10]
    if getattr(request, "htmx", None):
        context = {"forum": forum, "person": found, "q": q, "page_number": page}
        # The row swaps in place; the counts at the top follow out of band.
        row = render_to_string(f"{TEMPLATE}#person", context, request)
        counts = render_to_string(f"{TEMPLATE}#counts", {**_counts(forum), "oob": True}, request)
        return HttpResponse(row + counts)
    query = {"q": q} if q or not page.isdigit() else {"page": page}
    return redirect(reverse("forums:checkin", args=[forum.slug]) + "?" + urlencode(query))


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
