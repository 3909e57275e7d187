"""Organizations asking to join the Circle, and the staff decisions.

The public form (circle/views/applications.py) calls submit(); staff approve
or decline from the Django admin. An approved application becomes an active
Organization whose applicant is invited as its admin; a declined one gets a
courteous email. Each decision is taken once: the application row is locked
and must still be pending, so approving twice never makes two organizations.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from circle import invitations
from circle.models import Invitation, JoinApplication, Membership, Organization, User
from justop import outbox

PSE_EMAIL = "info@psequity.org"
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+")


class ApplicationError(ValueError):
    """A decision that cannot be taken; the message is for the staff member."""


class Duplicate(Exception):
    """Why the form refuses an application: the field to mark and the message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- Names ----------------------------------------------------------------------------------


def name_key(name: str) -> str:
    """The name as people mean it: "The Atlanta Fund, Inc." and "atlanta fund inc"
    are the same organization, and so are "Fundación" and "Fundacion"."""
    bare = unicodedata.normalize("NFKD", _LEADING_THE.sub("", name.strip()))
    bare = "".join(c for c in bare if not unicodedata.combining(c))
    return _NOT_WORD.sub("", bare).casefold()


def clean_name(name: str) -> str:
    return " ".join(name.split())


def _matching(names: Iterable[str], key: str) -> bool:
    return any(name_key(name) == key for name in names)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70].strip("-") or "organization"
    taken = set(Organization.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- Submitting -----------------------------------------------------------------------------


def find_duplicate(organization_name: str, applicant_email: str) -> Duplicate | None:
    """The reason an application would repeat one already made, or None.

    Names are compared by name_key in Python: the Circle counts hundreds of
    organizations, so reading their names is one small query, and no database
    function strips punctuation the same way on SQLite and PostgreSQL."""
    key = name_key(organization_name)
    existing = Organization.objects.order_by().values_list("name", "status")
    for name, status in existing:
        if name_key(name) == key:
            if status == Organization.Status.ACTIVE:
                message = _(
                    "%(name)s is already a member of the Circle. Ask one of its admins to "
                    "invite you: they can do it from the organization's page."
                ) % {"name": name}
            else:
                message = _(
                    "An organization with this name is already known to the Circle. "
                    "Write to PSE at %(email)s and we will help."
                ) % {"email": PSE_EMAIL}
            return Duplicate("organization_name", message)
    pending = JoinApplication.objects.filter(status=JoinApplication.Status.PENDING)
    if pending.filter(applicant_email__iexact=applicant_email).exists():
        return Duplicate(
            "applicant_email",
            _(
                "An application from this email address is already waiting for review. "
                "PSE staff will write to you at this address; there is no need to apply again."
            ),
        )
    if _matching(pending.order_by().values_list("organization_name", flat=True), key):
        return Duplicate(
            "organization_name",
            _(
                "An application for this organization is already waiting for review. "
                "If a colleague sent it, PSE staff will be in touch with them; otherwise "
                "write to %(email)s."
            )
            % {"email": PSE_EMAIL},
        )
    return None


def submit(data: dict[str, Any], *, language: str) -> JoinApplication:
    """Store an application from the public form's cleaned data and acknowledge
    it to the applicant. Raises Duplicate when it repeats one already made."""
    with transaction.atomic():
        email = str(data["applicant_email"]).strip().lower()
        name = clean_name(str(data["organization_name"]))
        duplicate = find_duplicate(name, email)
        if duplicate is not None:
            raise duplicate
        application = JoinApplication.objects.create(
            organization_name=name,
            sector=data["sector"],
            website=data.get("website", ""),
            mission=data["mission"],
            side=data["side"],
            applicant_name=data["applicant_name"],
            applicant_email=email,
            applicant_title=data.get("applicant_title", ""),
            message=data.get("message", ""),
            language=language,
        )
        application.stages.set(data.get("stages", []))
        application.counties.set(data.get("counties", []))
        outbox.queue(
            outbox.Email(
                kind="circle.application_received",
                to=email,
                about=application,
                language=language,
                template="circle/emails/application_received",
                context={
                    "organization": name,
                    "name": application.applicant_name,
                    "pse_email": PSE_EMAIL,
                },
            )
        )
    return application


# --- Deciding -------------------------------------------------------------------------------


def _lock_pending(application: JoinApplication) -> JoinApplication:
    locked = JoinApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status == JoinApplication.Status.APPROVED:
        raise ApplicationError(_("This application was already approved."))
    if locked.status == JoinApplication.Status.DECLINED:
        raise ApplicationError(_("This application was already declined."))
    return locked


def approve(application: JoinApplication, *, by: User) -> Organization:
    """Create the organization, active from today, and invite the applicant
    as its admin."""
    with transaction.atomic():
        application = _lock_pending(application)
        key = name_key(application.organization_name)
        if _matching(Organization.objects.order_by().values_list("name", flat=True), key):
            raise ApplicationError(
                _(
                    "An organization with this name already exists. Rename the application "
                    "or decline it."
                )
            )
        organization = Organization.objects.create(
            name=application.organization_name,
            slug=_unique_slug(application.organization_name),
            sector=application.sector,
            website=application.website,
            # The mission as the applicant wrote it, whatever language staff
            # approve in: the English version (the one every page can fall
            # back to), and the Spanish too if they applied in Spanish.
            mission_en=application.mission,
            mission_es=application.mission if application.language == "es" else None,
            side=application.side,
            contact_name=application.applicant_name,
            contact_email=application.applicant_email,
            status=Organization.Status.ACTIVE,
            joined_on=timezone.localdate(),
        )
        organization.stages.set(application.stages.all())
        organization.counties.set(application.counties.all())
        application.status = JoinApplication.Status.APPROVED
        application.reviewed_at = timezone.now()
        application.reviewed_by = by
        application.organization = organization
        application.save(update_fields=["status", "reviewed_at", "reviewed_by", "organization"])
        # The applicant asked for this by applying: an earlier "no more
        # invitations" from the address must not stop a later resend.
        outbox.resubscribe(application.applicant_email, invitations.STREAM)
        invitation = _invite_applicant(organization, application, by=by)
        outbox.queue(
            outbox.Email(
                kind="circle.application_approved",
                to=application.applicant_email,
                user=User.objects.filter(email__iexact=application.applicant_email).first(),
                about=application,
                language=application.language,
                template="circle/emails/application_approved",
                context={
                    "organization": organization.name,
                    "name": application.applicant_name,
                    "url": invitations.accept_url(invitation),
                    "expires": timezone.localdate(invitation.expires_at).isoformat(),
                    "pse_email": PSE_EMAIL,
                },
            )
        )
    return organization


def _invite_applicant(
    organization: Organization, application: JoinApplication, *, by: User
) -> Invitation:
    """The admin invitation whose link the approval email carries: the
    applicant gets that email instead of the generic invitation."""
    now = timezone.now()
    return Invitation.objects.create(
        organization=organization,
        email=application.applicant_email,
        role=Membership.Role.ADMIN,
        invited_by=by,
        nonce=secrets.token_hex(16),
        created_at=now,
        expires_at=now + invitations.LIFETIME,
        sent_count=1,
        last_sent_at=now,
    )


def decline(application: JoinApplication, *, by: User) -> None:
    """Mark the application declined and tell the applicant, courteously, in
    the language they applied in."""
    with transaction.atomic():
        application = _lock_pending(application)
        application.status = JoinApplication.Status.DECLINED
        application.reviewed_at = timezone.now()
        application.reviewed_by = by
        application.save(update_fields=["status", "reviewed_at", "reviewed_by"])
        outbox.queue(
            outbox.Email(
                kind="circle.application_declined",
                to=application.applicant_email,
                about=application,
                language=application.language,
                template="circle/emails/application_declined",
                context={
                    "organization": application.organization_name,
                    "name": application.applicant_name,
                    "pse_email": PSE_EMAIL,
                },
            )
        )
