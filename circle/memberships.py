"""Memberships, and the rule that an organization never loses its last admin.

Every path that removes an admin (the manage pages, leaving, deleting an
account, Django admin) goes through this module. The organization's row is
locked first, so two admins demoting each other at the same moment cannot
both succeed."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from circle.models import Membership, Organization, User
from justop import outbox

Role = Membership.Role
PSE_EMAIL = "info@psequity.org"


class LastAdminError(ValidationError):
    pass


def _lock(organization: Organization) -> None:
    Organization.objects.select_for_update().filter(pk=organization.pk).first()


def _admins_left(organization: Organization, excluding: Iterable[int]) -> int:
    return (
        Membership.objects.filter(organization=organization, role=Role.ADMIN)
        .exclude(pk__in=list(excluding))
        .count()
    )


def last_admin_message(organization: Organization) -> str:
    return _("%(organization)s would have no admin left. Make another member an admin first.") % {
        "organization": organization.name
    }


def check_admins_remain(organization: Organization, removing: Iterable[int]) -> None:
    """Raise LastAdminError if removing these admin memberships (ids) would
    leave an organization that has admins with none."""
    removing = list(removing)
    had_admins = Membership.objects.filter(organization=organization, role=Role.ADMIN)
    if not had_admins.filter(pk__in=removing).exists():
        return
    if _admins_left(organization, removing) == 0:
        raise LastAdminError(last_admin_message(organization), code="last_admin")


def change_role(membership: Membership, role: str, title: str | None = None) -> Membership:
    with transaction.atomic():
        _lock(membership.organization)
        if membership.role == Role.ADMIN and role != Role.ADMIN:
            check_admins_remain(membership.organization, [membership.pk])
        membership.role = role
        fields = ["role"]
        if title is not None:
            membership.title = title
            fields.append("title")
        changed = Membership.objects.filter(pk=membership.pk).exclude(role=role).exists()
        membership.save(update_fields=fields)
        if changed:
            outbox.queue(_email(membership, "circle.role_changed", "role_changed"))
    return membership


def remove(membership: Membership, *, by: User | None = None) -> None:
    """Remove a person from an organization (by an admin, or leaving). The
    person is told, unless they left by themselves (the page says so)."""
    with transaction.atomic():
        _lock(membership.organization)
        check_admins_remain(membership.organization, [membership.pk])
        if by is None or by.pk != membership.user_id:
            outbox.queue(_email(membership, "circle.membership_removed", "removed"))
        membership.delete()


def _email(membership: Membership, kind: str, template: str) -> outbox.Email:
    """What changed, in which organization, and whom to ask about it."""
    organization = membership.organization
    person = membership.user
    return outbox.Email(
        kind=kind,
        to=person.email,
        user=person,
        about=membership,
        # Each change is its own email: promoted, demoted, promoted again.
        period=f"{membership.role}-{timezone.now().isoformat()}",
        template=f"circle/emails/{template}",
        context={
            "name": person.get_short_name(),
            "organization": organization.name,
            "role": membership.role,
            "contact": organization.contact_email or PSE_EMAIL,
            "url": outbox.absolute(organization.get_absolute_url()),
        },
    )


def organizations_needing(user: User) -> list[Organization]:
    """Organizations where this person is the only admin: they cannot leave
    them or delete their account until someone else is admin."""
    sole = []
    for membership in Membership.objects.filter(user=user, role=Role.ADMIN).select_related(
        "organization"
    ):
        if _admins_left(membership.organization, [membership.pk]) == 0:
            sole.append(membership.organization)
    return sole


def delete_account(user: User) -> None:
    """Delete a person's account, refused while they are the last admin of
    an organization."""
    with transaction.atomic():
        for membership in Membership.objects.filter(user=user, role=Role.ADMIN).select_related(
            "organization"
        ):
            _lock(membership.organization)
        blocking = organizations_needing(user)
        if blocking:
            raise LastAdminError(
                [last_admin_message(organization) for organization in blocking],
                code="last_admin",
            )
        user.delete()
