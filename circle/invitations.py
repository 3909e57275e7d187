"""Inviting people into an organization, and accepting.

An invitation is a row; its link carries a signed token naming the row and
a nonce. The link works once (accepting marks the row), for seven days, and
only with the nonce of the last sending (resending draws a new one)."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.utils import getaddresses
from enum import StrEnum
from typing import Literal

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q, QuerySet
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

Source = Literal["list", "csv"]


class Problem(StrEnum):
    INVALID = "invalid"  # not an email address
    MEMBER = "member"  # already in the organization
    PENDING = "pending"  # an invitation is open and has not expired
    DUPLICATE = "duplicate"  # the same address earlier in the list or file
    TOO_MANY = "too_many"  # past MAX_PER_REQUEST; nothing after it is read


@dataclass(frozen=True)
class Entry:
    """One address as the admin wrote it, with where it was and what is wrong
    with it, if anything."""

    source: Source
    line: int
    text: str
    email: str = ""
    name: str = ""
    problem: Problem | None = None
    # Where the first copy of a duplicate is.
    first_source: Source | None = None
    first_line: int | None = None


def _items(line: str) -> list[str]:
    """A line cut at commas and semicolons, except inside a quoted display name
    or angle brackets (`"Díaz, Ana" <ana@example.org>` is one item)."""
    items: list[str] = []
    current: list[str] = []
    quoted = angled = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == "<" and not quoted:
            angled = True
        elif char == ">" and not quoted:
            angled = False
        elif char in ",;" and not quoted and not angled:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _address(item: str) -> tuple[str, str] | None:
    """(name, address) of one item, read by the standard library's parser, or
    None when it is not exactly one valid address."""
    pairs = getaddresses([item])
    if len(pairs) != 1:
        return None
    name, address = pairs[0]
    address = address.strip().lower()
    if len(address) > 254:
        return None
    try:
        validate_email(address)
    except ValidationError:
        return None
    return name.strip(), address


def _entries_of(source: Source, line: int, chunk: str) -> list[Entry]:
    entries = []
    for item in _items(chunk):
        parsed = _address(item)
        if parsed is None and "<" not in item and '"' not in item:
            # Addresses separated by spaces only: each word must be one.
            words = item.split()
            if len(words) > 1 and all("@" in word for word in words):
                entries.extend(_entries_of(source, line, ",".join(words)))
                continue
        if parsed is None:
            entries.append(Entry(source, line, item, problem=Problem.INVALID))
        else:
            entries.append(Entry(source, line, item, email=parsed[1], name=parsed[0]))
    return entries


def read_addresses(text: str = "", csv_bytes: bytes | None = None) -> list[Entry]:
    """Every address of a pasted list (several per line, separated by commas or
    semicolons, with or without a display name) and of a CSV file (any cell
    holding an @), each with its line number. Marks what is not an address,
    what repeats an earlier entry and the first entry past MAX_PER_REQUEST,
    after which nothing is read."""
    lines: list[tuple[Source, int, str]] = [
        ("list", number, line) for number, line in enumerate(text.splitlines(), start=1)
    ]
    if csv_bytes:
        content = csv_bytes.decode("utf-8-sig", errors="replace")
        reader = csv.reader(io.StringIO(content))
        lines.extend(
            ("csv", reader.line_num, cell) for row in reader for cell in row if "@" in cell
        )
    entries: list[Entry] = []
    seen: dict[str, Entry] = {}
    for source, number, chunk in lines:
        for entry in _entries_of(source, number, chunk):
            if entry.problem is None and entry.email in seen:
                first = seen[entry.email]
                entry = replace(
                    entry,
                    problem=Problem.DUPLICATE,
                    first_source=first.source,
                    first_line=first.line,
                )
            elif entry.problem is None and len(seen) >= MAX_PER_REQUEST:
                entries.append(replace(entry, problem=Problem.TOO_MANY))
                return entries
            elif entry.problem is None:
                seen[entry.email] = entry
            entries.append(entry)
    return entries


def check_addresses(organization: Organization, entries: list[Entry]) -> list[Entry]:
    """The entries again, with the people already in the organization and the
    addresses already invited (and not expired) marked; two queries."""
    emails = [e.email for e in entries if e.problem is None]
    members = set(
        Membership.objects.filter(organization=organization, user__email__in=emails).values_list(
            "user__email", flat=True
        )
    )
    pending = set(
        organization.invitations.filter(
            email__in=emails,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).values_list("email", flat=True)
    )
    checked = []
    for entry in entries:
        if entry.problem is None and entry.email in members:
            entry = replace(entry, problem=Problem.MEMBER)
        elif entry.problem is None and entry.email in pending:
            entry = replace(entry, problem=Problem.PENDING)
        checked.append(entry)
    return checked


def pending_invitations(organization: Organization, q: str = "") -> QuerySet[Invitation]:
    """The invitations nobody answered yet, by address; `q` finds part of one."""
    pending = organization.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
    if q:
        pending = pending.filter(Q(email__icontains=q) | Q(name__icontains=q))
    return pending.order_by("email", "pk")


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
            "name": invitation.name,
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
    names: Mapping[str, str] | None = None,
) -> InviteResult:
    """Invite addresses to the organization. People already in it are skipped;
    an address with an open invitation is not sent a second one (an expired one
    is renewed and sent again); an address that declined all invitations with
    the unsubscribe link is skipped. `names` holds the display name written
    with an address, if any."""
    names = {email: name[:150] for email, name in (names or {}).items()}
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
                to_send.append(_renew(open_ones[email], now, names.get(email, "")))
            else:
                to_send.append(
                    Invitation(
                        organization=organization,
                        email=email,
                        name=names.get(email, ""),
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
                renewed, ["sent_count", "last_sent_at", "batch", "nonce", "expires_at", "name"]
            )
            outbox.queue_many([_email(i, language) for i in to_send])
            result.sent = [i.email for i in to_send]
    return result


def _renew(invitation: Invitation, now: datetime, name: str = "") -> Invitation:
    if name:
        invitation.name = name
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
