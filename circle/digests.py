"""The member digest: who receives it, with which sections, once per period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.text import Truncator

from circle.models import EmailPreferences, Membership, Organization, User
from justop.digests import Period, member_digests
from justop.models import OutboxEmail
from justop.outbox import queue_many
from justop.registry import DigestSection
from justop.translated import item_texts

STREAM = "digest"
BATCH = 1000


@dataclass(frozen=True)
class DigestRun:
    period: str
    recipients: int
    queued: int


def digest_recipients(frequency: str) -> QuerySet[User]:
    """Members of the Circle (and staff), active, with a verified address,
    who chose this frequency (the default frequency counts for people who
    never set one)."""
    chosen = Q(email_preferences__digest_frequency=frequency)
    if frequency == EmailPreferences.DEFAULT_FREQUENCY:
        chosen |= Q(email_preferences__isnull=True)
    verified = EmailAddress.objects.filter(
        user=OuterRef("pk"), email=OuterRef("email"), verified=True
    )
    member = Membership.objects.filter(
        user=OuterRef("pk"), organization__status=Organization.Status.ACTIVE
    )
    return (
        User.objects.filter(chosen, is_active=True)
        .filter(Exists(verified))
        .filter(Q(is_staff=True) | Exists(member))
        .select_related("email_preferences")
        .order_by("pk")
    )


def _wants(user: User, section: DigestSection) -> bool:
    try:
        preferences = user.email_preferences
    except EmailPreferences.DoesNotExist:
        return True
    return preferences.wants_section(section.key)


def send_digests(frequency: str, now: datetime | None = None) -> DigestRun:
    """Queue this frequency's digest for the last complete period. Running it
    again for the same period queues nothing more (the outbox key includes
    the period)."""
    period = Period.last_complete(frequency, now)
    recipients = queued = 0
    last_pk = 0
    while True:
        # Keyset pagination: batches stay cheap however many people there are.
        batch = list(digest_recipients(frequency).filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            break
        last_pk = batch[-1].pk
        recipients += len(batch)
        emails = member_digests(
            batch, period, wants=_wants, kind=f"digest.{frequency}", stream=STREAM
        )
        queued += len(queue_many(emails))
    return DigestRun(period=period.key, recipients=recipients, queued=queued)


def turn_off_digest(email: str) -> None:
    """One-click unsubscribe from the digest: the person's frequency becomes off."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        # The person changed their address since this digest went out: the
        # outbox knows whom it was for.
        user_id = (
            OutboxEmail.objects.filter(recipient__iexact=email, stream=STREAM, user__isnull=False)
            .order_by("-created_at")
            .values_list("user_id", flat=True)
            .first()
        )
        user = User.objects.filter(pk=user_id).first() if user_id else None
    if user is not None:
        EmailPreferences.objects.update_or_create(
            user=user, defaults={"digest_frequency": EmailPreferences.Frequency.OFF}
        )


def new_organizations(period: Period) -> list[dict[str, str]]:
    """Organizations that joined the Circle in the period (public facts)."""
    joined = Organization.objects.active().filter(
        joined_on__gte=period.first_day, joined_on__lte=period.last_day
    )
    items = []
    for organization in joined.order_by("name"):
        # The mission in the reader's language, summary_lang="en" when it fell back.
        texts = item_texts(organization, summary="mission")
        items.append(
            texts
            | {
                "title": organization.name,
                "url": organization.get_absolute_url(),
                "summary": Truncator(texts["summary"]).words(30),
                "meta": organization.get_sector_display(),
            }
        )
    return items
