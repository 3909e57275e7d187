"""The Circle's section of the member home (/home/): the person's
organizations and, for those they manage, what waits for them there."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from circle.access import can_manage, current_user
from circle.models import Invitation, JoinApplication
from circle.viewers import active_memberships, has_staff_power


def organizations_and_tasks(request: HttpRequest) -> dict[str, Any] | None:
    """Each active organization of the person; for its admins, the
    invitations not yet accepted, linked to the page that resends them.
    Staff with staff power also get the join applications waiting for
    review. Three queries at most."""
    user = current_user(request)
    if user is None:
        return None
    memberships = list(active_memberships(user).order_by("organization__name"))
    managed = [m.organization_id for m in memberships if can_manage(user, m.organization, m)]
    outstanding = dict(
        Invitation.objects.filter(
            organization_id__in=managed,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .values("organization_id")
        .annotate(count=Count("pk"))
        .values_list("organization_id", "count")
        if managed
        else []
    )
    organizations = [
        {
            "organization": m.organization,
            "membership": m,
            "manages": m.organization_id in managed,
            "invitations": outstanding.get(m.organization_id, 0),
            "invitations_url": reverse("circle:manage_invitations", args=[m.organization.slug]),
            "members_url": reverse("circle:manage_members", args=[m.organization.slug]),
        }
        for m in memberships
    ]
    applications = None
    if has_staff_power(user):
        applications = {
            "count": JoinApplication.objects.filter(status=JoinApplication.Status.PENDING).count(),
            "url": reverse("admin:circle_joinapplication_changelist")
            + f"?status__exact={JoinApplication.Status.PENDING}",
        }
    if not organizations and applications is None:
        return None
    return {"organizations": organizations, "applications": applications}
