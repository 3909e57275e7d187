"""What forums show PSE staff: this week's forums with places taken and
waitlists on the admin's dashboard, a person's registrations on their admin
page (justop/registry.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forums.models import Forum, Registration
from justop.registry import PersonItem, StaffFigure
from justop.staff_pages import PERSON_ITEMS, change_url, changelist_url


def week() -> tuple[Any, Any]:
    """Monday 00:00 to the next Monday, local time."""
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=7)


def forum_figures() -> Sequence[StaffFigure]:
    start, end = week()
    forums = (
        Forum.objects.with_counts()
        .filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=Forum.Status.DRAFT)
        .order_by("starts_at", "pk")
    )
    figures = []
    for forum in forums:
        counts: Any = forum
        detail = _("%(taken)d of %(capacity)d places taken · %(waiting)d on the waitlist") % {
            "taken": counts.registered_count,
            "capacity": forum.capacity,
            "waiting": counts.waitlisted_count,
        }
        when = date_format(timezone.localtime(forum.starts_at), "D j M, H:i")
        if forum.status == Forum.Status.CANCELLED:
            detail = f"{detail} · {forum.get_status_display()}"
        figures.append(
            StaffFigure(
                f"{forum.title} ({when})",
                counts.registered_count,
                changelist_url(Registration, forum__id__exact=forum.pk),
                detail=detail,
            )
        )
    if not figures:
        figures.append(
            StaffFigure(
                gettext_lazy("Forums this week"),
                0,
                changelist_url(
                    Forum, starts_at__gte=start.isoformat(), starts_at__lt=end.isoformat()
                ),
            )
        )
    return figures


def person_registrations(user: Any) -> tuple[Sequence[PersonItem], str]:
    rows = (
        Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email))
        .select_related("forum")
        .order_by("-forum__starts_at", "-pk")[:PERSON_ITEMS]
    )
    items = [
        PersonItem(
            text=r.forum.title,
            state=r.get_status_display() + (f" · {_('attended')}" if r.attended else ""),
            when=r.forum.starts_at,
            url=change_url(r),
        )
        for r in rows
    ]
    return items, changelist_url(Registration, q=user.email)
