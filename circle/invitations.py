"""Inviting people into an organization, and accepting.

An invitation is a row; its link carries a signed token naming the row and
a nonce. The link works once (accepting marks the row), for seven days, and
only with the nonce of the last sending (resending draws a new one)."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from circle.models import Invitation, InvitationBatch, Membership, Organization, User
from justop import outbox
from justop.models import OutboxEmail, Suppression

SALT = "circle.invitation"
LIFETIME = timedelta(days=7)
STREAM = "invitations"
MAX_PER_REQUEST = 1000


class InvitationError(Exception):
    """Why a link cannot be used: 'invalid', 'expired', 'used', 'revoked'."""

    def __init__(self, reason: str, invitation: Invitation | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


# --- Addresses ------------------------------------------------------------------------


def parse_addresses(text: str = "", csv_bytes: bytes | None = None) -> tuple[list[str], list[str]]:
    """Addresses from a pasted list (commas, semicolons, spaces or lines) and/or
    a CSV file (any column holding an address). Returns (valid, invalid),
    lowercased, without duplicates, in the order given."""
    candidates: list[str] = []
    for chunk in text.replace(",", "\n").replace(";", "\n").split():
        candidates.append(chunk.strip("<>\"'"))
    if csv_bytes:
        content = csv_bytes.decode("utf-8-sig", errors="replace")
        for row in csv.reader(io.StringIO(content)):
            candidates.extend(cell.strip() for cell in row if "@" in cell)
    valid: list[str] = []
    invalid: list[str] = []
    for candidate in candidates:
        address = candidate.strip().lower()
        if not address or address in valid or address in invalid:
            continue
        try:
            validate_email(address)
        except ValidationError:
            invalid.append(candidate.strip())
        else:
            valid.append(address)
    return valid, invalid


# --- Inviting -----------------------------------------------------------------------------


@dataclass
class InviteResult:
    batch: InvitationBatch | None = None
    sent: list[str] = field(default_factory=list)
    already_members: list[str] = field(default_factory=list)
    already_invited: list[str] = field(default_factory=list)
    declined_invitations: list[str] = field(default_factory=list)


def token_for(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SALT, compress=True)


def accept_url(invitation: Invitation) -> str:
    return outbox.absolute(reverse("circle:accept_invitation", args=[token_for(invitation)]))


def _email(invitation: Invitation, language: str = "") -> outbox.Email:
    inviter = invitation.invited_by
    person = User.objects.filter(email=invitation.email).first()
    return outbox.Email(
        # The invited person's own language if they have an account, else the
        # language the invitation was asked in.
        language=person.language if person else language,
        kind="circle.invitation",
        to=invitation.email,
        user=person,
        stream=STREAM,
        about=invitation,
        # Each sending is its own email; a double submit of one sending is not.
        period=f"sending-{invitation.sent_count}",
        template="circle/emails/invitation",
        context={
            "organization": invitation.organization.name,
            "role": invitation.role,
            "inviter": (inviter.get_full_name() if inviter else ""),
            "url": accept_url(invitation),
            "expires": timezone.localdate(invitation.expires_at).isoformat(),
        },
    )


def invite(
    organization: Organization,
    emails: list[str],
    role: str,
    *,
    by: User | None,
    language: str = "",
) -> InviteResult:
    """Invite addresses to the organization. People already in it are skipped;
    an address with an open invitation is not sent a second one (an expired one
    is renewed and sent again); an address that declined all invitations with
    the unsubscribe link is skipped."""
    result = InviteResult()
    now = timezone.now()
    with transaction.atomic():
        members = set(
            Membership.objects.filter(
                organization=organization, user__email__in=emails
            ).values_list("user__email", flat=True)
        )
        open_ones = {
            i.email: i
            for i in Invitation.objects.select_for_update().filter(
                organization=organization,
                email__in=emails,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
            )
        }
        declined = {
            email for email, _ in outbox.suppressed_pairs((email, STREAM) for email in emails)
        }
        to_send: list[Invitation] = []
        for email in emails:
            if email in members:
                result.already_members.append(email)
            elif email in declined:
                result.declined_invitations.append(email)
            elif email in open_ones and not open_ones[email].is_expired:
                result.already_invited.append(email)
            elif email in open_ones:
                to_send.append(_renew(open_ones[email], now))
            else:
                to_send.append(
                    Invitation(
                        organization=organization,
                        email=email,
                        role=role,
                        invited_by=by,
                        nonce=secrets.token_hex(16),
                        created_at=now,
                        expires_at=now + LIFETIME,
                    )
                )
        if to_send:
            if len(to_send) > 1:
                result.batch = InvitationBatch.objects.create(
                    organization=organization, created_by=by, total=len(to_send), created_at=now
                )
            for invitation in to_send:
                invitation.batch = result.batch
                invitation.sent_count += 1
                invitation.last_sent_at = now
            Invitation.objects.bulk_create([i for i in to_send if i.pk is None])
            renewed = [i for i in to_send if i.pk is not None and i.sent_count > 1]
            Invitation.objects.bulk_update(
                renewed, ["sent_count", "last_sent_at", "batch", "nonce", "expires_at"]
            )
            outbox.queue_many([_email(i, language) for i in to_send])
            result.sent = [i.email for i in to_send]
    return result


def _renew(invitation: Invitation, now: datetime) -> Invitation:
    invitation.nonce = secrets.token_hex(16)
    invitation.expires_at = now + LIFETIME
    return invitation


def resend(invitation: Invitation) -> Invitation:
    """Send an open invitation again with a fresh link and seven more days;
    the previous link stops working."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at or invitation.revoked_at:
            raise InvitationError("used" if invitation.accepted_at else "revoked", invitation)
        now = timezone.now()
        _renew(invitation, now)
        invitation.sent_count += 1
        invitation.last_sent_at = now
        invitation.save(update_fields=["nonce", "expires_at", "sent_count", "last_sent_at"])
        # A resend is asked for by name: it lifts nothing, but it is not bulk.
        outbox.queue(_email(invitation))
    return invitation


def revoke(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def batch_progress(batch: InvitationBatch) -> dict[str, int]:
    """How far the sending of a batch has come: counts of its emails by state."""
    refs = [f"circle.invitation:{pk}" for pk in batch.invitations.values_list("pk", flat=True)]
    counts = {state: 0 for state in outbox.State.values}
    for state, count in _outbox_counts(refs, batch.created_at):
        counts[state] = count
    counts["total"] = batch.total
    counts["done"] = counts["sent"] + counts["failed"] + counts["cancelled"]
    return counts


def _outbox_counts(refs: list[str], since: datetime) -> list[tuple[str, int]]:
    # Emails of earlier sendings of the same invitations are not this batch's.
    return list(
        OutboxEmail.objects.filter(
            kind="circle.invitation", object_ref__in=refs, created_at__gte=since
        )
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )


# --- Accepting ------------------------------------------------------------------------------


def invitation_from_token(token: str) -> Invitation:
    try:
        data = signing.loads(token, salt=SALT)
        invitation = Invitation.objects.select_related("organization", "invited_by").get(
            pk=data["i"]
        )
    except (signing.BadSignature, KeyError, TypeError, Invitation.DoesNotExist):
        raise InvitationError("invalid") from None
    if not secrets.compare_digest(str(data.get("n", "")), invitation.nonce):
        # An older link of an invitation sent again since.
        raise InvitationError("replaced", invitation)
    if invitation.accepted_at:
        raise InvitationError("used", invitation)
    if invitation.revoked_at:
        raise InvitationError("revoked", invitation)
    if invitation.is_expired:
        raise InvitationError("expired", invitation)
    if invitation.organization.status == Organization.Status.INACTIVE:
        raise InvitationError("invalid", invitation)
    return invitation


def accept(invitation: Invitation, user: User) -> Membership:
    """The invited person joins. The caller has checked that the person owns
    the invited address."""
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(accepted_at=timezone.now(), accepted_by=user)
        if not claimed:  # accepted in another tab a moment ago
            raise InvitationError("used", invitation)
        membership, created = Membership.objects.get_or_create(
            user=user, organization=invitation.organization, defaults={"role": invitation.role}
        )
        if not created and invitation.role == Membership.Role.ADMIN and not membership.is_admin:
            membership.role = Membership.Role.ADMIN
            membership.save(update_fields=["role"])
        # Whoever accepts an invitation wants invitations; an earlier opt-out
        # from this address no longer stands.
        Suppression.objects.filter(email=invitation.email, stream=STREAM).delete()
    return membership
