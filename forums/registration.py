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

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from circle.models import User
from forums import calendar
from forums.models import Forum, Registration
from justop import outbox, places
from justop.translated import shown

SALT = "forums.registration"
CONFIRM_WITHIN = timedelta(hours=24)
Status = Registration.Status
Closed = places.Closed  # registration is not open (a draft, cancelled, past the deadline)


def _takes_guests(forum: Forum) -> bool:
    return forum.registration_open and forum.audience == Forum.Audience.PUBLIC


def _fills_from_waitlist(forum: Forum) -> bool:
    """Nobody is promoted once the forum has started or if it is not published."""
    return forum.status == Forum.Status.PUBLISHED and forum.starts_at > timezone.now()


# --- Emails --------------------------------------------------------------------------

# Emails that give the person a place carry the forum's calendar file; those
# that end a place they had carry its cancellation.
WITH_CALENDAR = {"confirmed", "promoted", "reminder", "forum_moved_online"}
WITH_CANCEL = {"cancelled", "forum_cancelled"}


def email(registration: Registration, kind: str, period: str = "") -> outbox.Email:
    # The forum's title, directions and calendar file in the person's
    # language, wherever the email is sent from (a beat task, the admin): the
    # outbox renders the template in it, not the context.
    with translation.override(registration.language):
        return _email_in_language(registration, kind, period)


def _email_in_language(registration: Registration, kind: str, period: str) -> outbox.Email:
    forum = registration.forum
    has_place = registration.status == Status.CONFIRMED
    attachments = []
    if kind in WITH_CALENDAR and has_place:
        attachments.append(calendar.attachment(registration, "REQUEST"))
    elif kind in WITH_CANCEL and registration.confirmed_at is not None:
        attachments.append(calendar.attachment(registration, "CANCEL"))
    directions = shown(forum, "venue_directions")
    # How to get in, for people coming to the venue (not in a cancellation).
    coming = bool(forum.venue_name) and kind not in WITH_CANCEL
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
            "directions": directions.text if coming else "",
            "directions_lang": directions.fallback,
            "online_url": forum.online_url if has_place else "",
            "contact_email": forum.contact_email,
            "url": PLACES.url(registration),
            "forum_url": outbox.absolute(forum.get_absolute_url()),
            "confirm_hours": int(CONFIRM_WITHIN.total_seconds() // 3600),
        },
        attachments=attachments,
    )


# --- The places: the capacity engine, configured for forums -------------------------

PLACES = places.Places(
    parent=Forum,
    claim=Registration,
    fields=places.Fields(
        parent="forum",
        claims="registrations",
        queued="queued_at",
        address_confirmed="email_confirmed_at",
        place_confirmed="confirmed_at",
    ),
    email=email,
    salt=SALT,
    link_key="r",
    page="forums:registration",
    confirm_within=CONFIRM_WITHIN,
    kinds=places.Kinds(waitlisted="waitlisted"),
    related=("forum",),
    expire_at_start=True,
    returns=True,
    admits=_takes_guests,
    may_promote=_fills_from_waitlist,
)

token = PLACES.token
from_token = PLACES.from_token
manage_url = PLACES.url
places_taken = PLACES.taken
places_left = PLACES.left
lock = PLACES.lock
confirm = PLACES.confirm  # a guest followed the emailed link
cancel = PLACES.cancel  # cancelling a place, or leaving the waitlist
promote = PLACES.promote  # after staff add places: fill them from the waitlist
# Guest registrations not confirmed in time expire and free their places:
# CONFIRM_WITHIN after registering, or at the forum's start if sooner.
expire_unconfirmed = PLACES.expire_unconfirmed


# --- Members ---------------------------------------------------------------------------


def rsvp(forum: Forum, user: User, *, going: bool) -> Registration:
    """One click: going (a place, or the waitlist when full) or not going. A
    member's address is known: their place needs no confirmation."""
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
            return PLACES.cancel_locked(forum, registration, status=Status.DECLINED)
        if registration is not None and registration.is_active:
            registration.user = user
            PLACES.know_address(registration, tell_waiting=False)
            registration.save()
            PLACES.promote_locked(forum)
            return registration
        if not forum.registration_open:
            raise Closed
        registration = registration or Registration(forum=forum, user=user)
        registration.name = registration.name or _name(user)
        registration.email = user.email.lower()
        registration.language = user.language
        # Told with a new period each time, so going again after cancelling
        # is told again.
        return PLACES.join(forum, registration, address_known=True)


def _name(user: User) -> str:
    return user.get_full_name() or user.email.split("@")[0]


# --- Guests ------------------------------------------------------------------------------


class Outcome(places.Outcome[Registration]):
    """What became of a guest's registration (`already`: see places.Outcome)."""

    @property
    def registration(self) -> Registration:
        return self.claim


def register_guest(
    forum: Forum, *, name: str, email_address: str, organization: str = "", language: str
) -> Outcome:
    """A guest's place is held until they confirm by the emailed link (or
    they wait, when the forum is full). Only public forums take guests."""
    details = {
        "name": name.strip(),
        "organization_name": organization.strip(),
        "language": language,
    }
    held = PLACES.hold(forum, email=email_address, details=details)
    return Outcome(held.claim, held.already)


def register_invited(
    forum: Forum, email_address: str, *, name: str, organization: str = "", language: str
) -> Registration:
    """Someone outside the Circle registers from the page their invitation
    email links to: the signed link proves the address, so a place is
    confirmed at once (or they wait for one), as for a member's RSVP."""
    with transaction.atomic():
        forum = lock(forum)
        existing = forum.registrations.filter(
            email=email_address, status__in=Registration.ACTIVE
        ).first()
        if existing is not None:
            return existing
        if not forum.registration_open:
            raise Closed
        registration = Registration(
            forum=forum,
            email=email_address,
            name=name.strip(),
            organization_name=organization.strip(),
            language=language,
        )
        return PLACES.join(forum, registration, address_known=True)


# --- A cancelled forum -----------------------------------------------------------------------


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


# --- A forum moved online -----------------------------------------------------------------


# What goes with the venue: the directions in every language, named by
# their columns (setting `venue_directions` would empty the active one only).
VENUE = (
    "venue_name",
    "venue_address",
    "map_url",
    *(f"venue_directions_{language}" for language in settings.MODELTRANSLATION_LANGUAGES),
)


class CannotMoveOnline(Exception):
    """The forum has no online link to move to, or has ended or is cancelled."""


def move_online(forum: Forum) -> int:
    """Staff move an in-person forum online (it has its online link): the
    venue goes, and everyone registered or waiting is told once; people with
    a place get the link and their calendar's copy replaced."""
    with transaction.atomic():
        forum = lock(forum)
        if not forum.online_url or forum.is_cancelled or forum.ends_at <= timezone.now():
            raise CannotMoveOnline
        if forum.moved_online_at is None or forum.venue_name:
            for field in VENUE:
                setattr(forum, field, "")
            forum.moved_online_at = timezone.now()
            forum.save(update_fields=[*VENUE, "moved_online_at", "updated_at"])
        moved = f"moved-{int(forum.moved_online_at.timestamp())}"
        told = forum.registrations.filter(status__in=Registration.ACTIVE).select_related("forum")
        rows = outbox.queue_many([email(r, "forum_moved_online", period=moved) for r in told])
    return len(rows)
