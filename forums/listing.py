"""The lists of upcoming and past forums, filtered by audience, hosting
organization and month. Like the directory, the filters live in the query
string: a URL is a saved search, and an unknown value is left out with a
form error instead of failing the page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from circle.models import Organization
from circle.viewers import Viewer
from forums.forms import ForumFilterForm
from forums.models import Forum

PER_PAGE = 12


def hosts() -> list[Organization]:
    """Organizations hosting a forum, for the filter (one query)."""
    return list(
        Organization.objects.active().filter(forums__isnull=False).distinct().order_by("name")
    )


def _month_bounds(first: date) -> tuple[datetime, datetime]:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (
        timezone.make_aware(datetime.combine(first, time.min)),
        timezone.make_aware(datetime.combine(following, time.min)),
    )


def matching(viewer: Viewer, filters: Mapping[str, Any], *, past: bool) -> QuerySet[Forum]:
    forums = Forum.objects.visible_to(viewer)
    forums = forums.past() if past else forums.upcoming()
    if audience := filters.get("audience"):
        forums = forums.filter(audience=audience)
    if host := filters.get("host"):
        forums = forums.filter(hosts__slug=host)
    if month := filters.get("month"):
        start, end = _month_bounds(month)
        forums = forums.filter(starts_at__gte=start, starts_at__lt=end)
    return forums.with_counts().prefetch_related(
        # An organization that left the Circle is no longer named on the cards.
        Prefetch("hosts", queryset=Organization.objects.active().order_by("name"))
    )


@dataclass(frozen=True)
class Listing:
    form: ForumFilterForm
    page: Page[Forum]
    filtered: bool


def search(viewer: Viewer, data: Mapping[str, Any], *, past: bool) -> Listing:
    form = ForumFilterForm(data, hosts())
    filters = form.filters()
    paginator = Paginator(matching(viewer, filters, past=past), PER_PAGE)
    return Listing(form, paginator.get_page(data.get("page")), bool(filters))
