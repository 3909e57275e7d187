"""What the Circle shows PSE staff: applications waiting and who joined this
month on the admin's dashboard; a person's memberships, invitations and join
applications on their admin page (justop/registry.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from circle.models import Invitation, JoinApplication, Membership, Organization, User
from justop.registry import PersonItem, StaffFigure
from justop.staff_pages import PERSON_ITEMS, change_url, changelist_url, month_start, since


def circle_figures() -> Sequence[StaffFigure]:
    start = month_start()
    waiting = JoinApplication.objects.filter(status=JoinApplication.Status.PENDING).count()
    organizations = Organization.objects.filter(created_at__gte=start).count()
    people = User.objects.filter(date_joined__gte=start).count()
    return [
        StaffFigure(
            _("Join applications waiting"),
            waiting,
            changelist_url(JoinApplication, status__exact=JoinApplication.Status.PENDING),
        ),
        StaffFigure(
            _("Organizations added this month"),
            organizations,
            changelist_url(Organization, **since("created_at", start)),
        ),
        StaffFigure(
            _("People added this month"),
            people,
            changelist_url(User, **since("date_joined", start)),
        ),
    ]


def person_memberships(user: Any) -> tuple[Sequence[PersonItem], str]:
    rows = Membership.objects.filter(user=user).select_related("organization")
    items = [
        PersonItem(
            text=m.organization.name,
            state=f"{m.get_role_display()}{' · ' + m.title if m.title else ''}",
            when=m.joined_at,
            url=change_url(m),
        )
        for m in rows.order_by("organization__name")[:PERSON_ITEMS]
    ]
    return items, changelist_url(Membership, q=user.email)


def person_invitations(user: Any) -> tuple[Sequence[PersonItem], str]:
    rows = Invitation.objects.filter(email__iexact=user.email).select_related("organization")
    items = [
        PersonItem(
            text=i.organization.name, state=str(i.state), when=i.created_at, url=change_url(i)
        )
        for i in rows.order_by("-created_at")[:PERSON_ITEMS]
    ]
    return items, changelist_url(Invitation, q=user.email)


def person_applications(user: Any) -> tuple[Sequence[PersonItem], str]:
    rows = JoinApplication.objects.filter(applicant_email__iexact=user.email)
    items = [
        PersonItem(
            text=a.organization_name,
            state=a.get_status_display(),
            when=a.created_at,
            url=change_url(a),
        )
        for a in rows.order_by("-created_at")[:PERSON_ITEMS]
    ]
    return items, changelist_url(JoinApplication, q=user.email)
