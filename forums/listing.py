"""The lists of upcoming and past forums, filtered by audience, hosting
organization and month. Like the directory, the filters live in the query
string: a URL is a saved search, and an unknown value is left out with a
form error instead of failing the page."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, cast

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from circle.models import Organization
from circle.viewers import Viewer
from forums.models import Forum
from justop.widgets import QuickSelect

PER_PAGE = 12
MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")
# The years a month filter may name, as in the research library's filters.
FIRST_YEAR, LAST_YEAR = 1900, 2100


class ForumFilterForm(forms.Form):
    audience = forms.ChoiceField(label=_("Audience"), required=False, widget=QuickSelect)
    host = forms.ChoiceField(label=_("Hosting organization"), required=False, widget=QuickSelect)
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text=_("For example 2026-11."),
    )

    def __init__(self, data: Mapping[str, Any], hosts: list[Organization]) -> None:
        super().__init__(data, auto_id="forums-%s", label_suffix="")
        audience = cast(forms.ChoiceField, self.fields["audience"])
        audience.choices = [("", _("Any audience")), *Forum.Audience.choices]
        host = cast(forms.ChoiceField, self.fields["host"])
        host.choices = [("", _("Any organization")), *((o.slug, o.name) for o in hosts)]

    def clean_month(self) -> date | None:
        # A bad month is ignored (left out, the field says why), never a 400.
        value = self.cleaned_data.get("month") or ""
        if not value:
            return None
        # ASCII digits only (strptime takes any Unicode digit) and a year
        # whose next month is a date (9999-12 is not).
        if MONTH.fullmatch(value) and FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
            with contextlib.suppress(ValueError):  # a month 00 or 13
                return datetime.strptime(value, "%Y-%m").date()
        raise forms.ValidationError(_("Write a month as year-month, for example 2026-11."))

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


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
