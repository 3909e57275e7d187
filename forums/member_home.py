"""The forums' section of the member home: the person's next forums, each
with where they stand (a place confirmed, or their place on the waitlist)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from circle.access import current_user
from circle.viewers import viewer_of
from forums.models import Forum, Registration

SHOWN = 5


def with_waitlist_position(registrations: Any) -> Any:
    """Annotate each registration with its place on its forum's waitlist
    (1 for the next in line), in the same query: the waitlisted people ahead
    of it as the engine promotes them (address confirmed, in the order they
    asked, justop/places.py), plus one."""
    ahead = (
        Registration.objects.filter(
            forum=OuterRef("forum"),
            status=Registration.Status.WAITLISTED,
            email_confirmed_at__isnull=False,
        )
        .filter(
            Q(queued_at__lt=OuterRef("queued_at"))
            | Q(queued_at=OuterRef("queued_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("forum")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return registrations.annotate(
        waitlist_position=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1
    )


def my_next_forums(request: HttpRequest) -> dict[str, Any] | None:
    """The upcoming forums the person registered for (or waits for), soonest
    first, among the forums they may see: one query."""
    user = current_user(request)
    if user is None:
        return None
    visible = Forum.objects.visible_to(viewer_of(user)).upcoming()
    registrations = list(
        with_waitlist_position(
            Registration.objects.filter(
                user=user, status__in=Registration.ACTIVE, forum__in=visible.values("pk")
            )
        )
        .select_related("forum")
        .order_by("forum__starts_at", "forum__pk")[:SHOWN]
    )
    return {"registrations": registrations} if registrations else None
