"""Coming to a forum: members' one-click RSVP, guests' registration by name
and email, the waitlist, cancelling, and the emails that say what happened.

- A member's RSVP takes a place at once (their address is known).
- A guest's registration holds a place until they confirm it by the emailed
  link. One not confirmed within CONFIRM_WITHIN (or by the start, if sooner)
  expires and frees the place, so a typo or a bot cannot hold it forever.
- When the forum is full, people join the waitlist in the order they asked.
  When a place frees up (a cancellation, an expiry, more places), the first
  on the waitlist whose address is confirmed gets it and is told by email.

Every change to a forum's registrations locks the forum's row first
(SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions take the
database's write lock), so the count holds however many people press the
button at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from circle.models import User
from forums import calendar
from forums.models import Forum, Registration
from justop import outbox
from justop.pagecache import content_changed

SALT = "forums.registration"
CONFIRM_WITHIN = timedelta(hours=24)
Status = Registration.Status


# --- Links ---------------------------------------------------------------------------


def token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk, "e": registration.email}, salt=SALT, compress=True)


def from_token(value: str) -> Registration | None:
    """The registration of a link. Links do not expire (cancelling must work
    until the forum), but the signed address ties them to one registration."""
    try:
        data = signing.loads(value, salt=SALT)
        return Registration.objects.select_related("forum").get(pk=data["r"], email=data["e"])
    except (signing.BadSignature, KeyError, TypeError, Registration.DoesNotExist):
        return None


def manage_url(registration: Registration) -> str:
    return outbox.absolute(reverse("forums:registration", args=[token(registration)]))


# --- Emails --------------------------------------------------------------------------

# Emails that give the person a place carry the forum's calendar file.
WITH_CALENDAR = {"confirmed", "promoted", "reminder"}


def email(registration: Registration, kind: str, period: str = "") -> outbox.Email:
    forum = registration.forum
    has_place = registration.status == Status.CONFIRMED
    attachments = []
    if kind in WITH_CALENDAR and has_place:
        attachments.append(
            {
                "filename": "forum.ics",
                "content": calendar.forum_file(forum, registered=True).decode(),
                "mimetype": "text/calendar",
            }
        )
    return outbox.Email(
        kind=f"forums.{kind}",
        to=registration.email,
        user=registration.user,
        about=registration,
        period=period or kind,
        language=registration.language,
        template="forums/emails/registration",
        context={
            "kind": kind,
            "status": registration.status,
            "name": registration.name,
            "forum": forum.title,
            "starts": timezone.localtime(forum.starts_at).isoformat(),
            "ends": timezone.localtime(forum.ends_at).isoformat(),
            "venue": ", ".join(p for p in (forum.venue_name, forum.venue_address) if p),
            "map_url": forum.map_url,
            "online_url": forum.online_url if has_place else "",
            "contact_email": forum.contact_email,
            "url": manage_url(registration),
            "forum_url": outbox.absolute(forum.get_absolute_url()),
            "confirm_hours": int(CONFIRM_WITHIN.total_seconds() // 3600),
        },
        attachments=attachments,
    )


# --- Counting ------------------------------------------------------------------------


def places_taken(forum: Forum) -> int:
    return forum.registrations.filter(status__in=Registration.HOLDING).count()


def places_left(forum: Forum) -> int:
    return max(forum.capacity - places_taken(forum), 0)


def lock(forum: Forum) -> Forum:
    return Forum.objects.select_for_update().get(pk=forum.pk)


class Closed(Exception):
    """Registration is not open (a draft, cancelled, past the deadline)."""


# --- Members ---------------------------------------------------------------------------


def rsvp(forum: Forum, user: User, *, going: bool) -> Registration:
    """One click: going (a place, or the waitlist when full) or not going."""
    with transaction.atomic():
        forum = lock(forum)
        registration = (
            Registration.objects.filter(forum=forum, user=user).first()
            # A guest registration with the member's address becomes theirs.
            or Registration.objects.filter(
                forum=forum, email__iexact=user.email, status__in=Registration.ACTIVE
            ).first()
        )
        if not going:
            if registration is None:
                if not forum.registration_open:
                    raise Closed
                return Registration.objects.create(
                    forum=forum, user=user, name=_name(user), email=user.email.lower(),
                    language=user.language, status=Status.DECLINED,
                )  # fmt: skip
            if registration.is_active:
                return _cancel_locked(forum, registration, status=Status.DECLINED)
            return registration
        if registration is not None and registration.is_active:
            registration.user = user
            if registration.email_confirmed_at is None:
                registration.email_confirmed_at = timezone.now()
            if registration.status == Status.HELD:
                registration.status = Status.CONFIRMED
                registration.confirmed_at = timezone.now()
                outbox.queue(email(registration, "confirmed"))
            registration.save()
            _promote(forum)
            return registration
        if not forum.registration_open:
            raise Closed
        now = timezone.now()
        fits = places_taken(forum) < forum.capacity
        registration = registration or Registration(forum=forum, user=user)
        registration.name = registration.name or _name(user)
        registration.email = user.email.lower()
        registration.language = user.language
        registration.status = Status.CONFIRMED if fits else Status.WAITLISTED
        registration.queued_at = now
        registration.email_confirmed_at = now
        registration.confirmed_at = now if fits else None
        registration.cancelled_at = None
        registration.save()
        kind = "confirmed" if fits else "waitlisted"
        # A new period each time, so going again after cancelling is told again.
        outbox.queue(email(registration, kind, period=f"{kind}-{now:%Y%m%d%H%M%S}"))
    return registration


def _name(user: User) -> str:
    return user.get_full_name() or user.email.split("@")[0]


# --- Guests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    registration: Registration
    # The address holds a registration already: the page must not say so (it
    # would tell anyone who registered); the person is emailed their link.
    already: bool = False


def register_guest(
    forum: Forum, *, name: str, email_address: str, organization: str = "", language: str
) -> Outcome:
    address = email_address.strip().lower()
    with transaction.atomic():
        forum = lock(forum)
        if not forum.registration_open or forum.audience != Forum.Audience.PUBLIC:
            raise Closed
        existing = forum.registrations.filter(email=address, status__in=Registration.ACTIVE).first()
        if existing is not None:
            # At most one such email an hour for the same registration.
            again = f"again-{timezone.now():%Y%m%d%H}"
            outbox.queue(email(existing, "link", period=again))
            return Outcome(existing, already=True)
        fits = places_taken(forum) < forum.capacity
        registration = Registration.objects.create(
            forum=forum,
            name=name.strip(),
            email=address,
            organization_name=organization.strip(),
            language=language,
            status=Status.HELD if fits else Status.WAITLISTED,
        )
        outbox.queue(email(registration, "confirm"))
    return Outcome(registration)


def confirm(registration: Registration) -> Registration:
    """The guest followed the emailed link: the address is theirs."""
    with transaction.atomic():
        forum = lock(registration.forum)
        registration.refresh_from_db()
        if registration.email_confirmed_at is not None or not registration.is_active:
            return registration
        now = timezone.now()
        registration.email_confirmed_at = now
        if registration.status == Status.HELD:
            registration.status = Status.CONFIRMED
            registration.confirmed_at = now
            outbox.queue(email(registration, "confirmed"))
        else:
            outbox.queue(email(registration, "waitlisted"))
        registration.save(update_fields=["email_confirmed_at", "status", "confirmed_at"])
        # A confirmed person on the waitlist may fit in places freed meanwhile.
        _promote(forum)
    return registration


# --- Cancelling and the waitlist -------------------------------------------------------------


def cancel(registration: Registration) -> Registration:
    """Cancelling a place, or leaving the waitlist."""
    with transaction.atomic():
        forum = lock(registration.forum)
        registration.refresh_from_db()
        return _cancel_locked(forum, registration, status=Status.CANCELLED)


def _cancel_locked(forum: Forum, registration: Registration, *, status: str) -> Registration:
    if not registration.is_active:
        return registration
    now = timezone.now()
    registration.status = status
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    outbox.queue(email(registration, "cancelled", period=f"cancelled-{now:%Y%m%d%H%M%S}"))
    _promote(forum)
    return registration


def _promote(forum: Forum) -> list[Registration]:
    """Within the forum's lock: give freed places to people on the waitlist
    whose address is confirmed, in the order they asked. Nobody is promoted
    once the forum has started or if it is not published."""
    if forum.status != Forum.Status.PUBLISHED or forum.starts_at <= timezone.now():
        return []
    free = forum.capacity - places_taken(forum)
    if free <= 0:
        return []
    waiting = list(
        forum.registrations.filter(
            status=Status.WAITLISTED, email_confirmed_at__isnull=False
        ).order_by("queued_at", "pk")[:free]
    )
    now = timezone.now()
    for registration in waiting:
        registration.status = Status.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        outbox.queue(email(registration, "promoted"))
    return waiting


def promote(forum: Forum) -> list[Registration]:
    """After staff add places: fill them from the waitlist."""
    with transaction.atomic():
        return _promote(lock(forum))


def expire_unconfirmed(now: datetime | None = None) -> int:
    """Guest registrations not confirmed in time expire and free their places:
    CONFIRM_WITHIN after registering, or at the forum's start if sooner."""
    now = now or timezone.now()
    stale = Registration.objects.filter(
        Q(created_at__lt=now - CONFIRM_WITHIN) | Q(forum__starts_at__lte=now),
        status__in=Registration.ACTIVE,
        email_confirmed_at__isnull=True,
    )
    expired = 0
    for forum_id in sorted(set(stale.values_list("forum_id", flat=True))):
        with transaction.atomic():
            forum = Forum.objects.select_for_update().get(pk=forum_id)
            expired += Registration.objects.filter(
                pk__in=stale.filter(forum=forum).values("pk")
            ).update(status=Status.EXPIRED)
            _promote(forum)
    if expired:
        content_changed("forums")
    return expired


def cancel_forum(forum: Forum) -> int:
    """Staff cancel a forum: everyone registered or waiting is told, once."""
    with transaction.atomic():
        forum = lock(forum)
        if forum.status != Forum.Status.CANCELLED:
            forum.status = Forum.Status.CANCELLED
            forum.cancelled_at = timezone.now()
            forum.save(update_fields=["status", "cancelled_at", "updated_at"])
        told = forum.registrations.filter(status__in=Registration.ACTIVE).select_related("forum")
        rows = outbox.queue_many([email(r, "forum_cancelled") for r in told])
    return len(rows)
