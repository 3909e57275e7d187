"""Signing up for volunteer shifts without an account.

Places are counted in people (a party of three takes three). A sign-up holds
its places from the moment it is made, and keeps them once the person
confirms by the emailed link; one not confirmed within 24 hours expires and
frees them. When a shift is full, sign-ups join a waitlist in order; when
places free up, confirmed people on the waitlist are promoted in order (a
party too large for the places left waits, and a smaller one behind it may
go first) and told by email.

Every change to a shift's sign-ups locks the shift's row first, so the count
holds however many people press the button at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from justop import outbox
from justop.pagecache import content_changed
from volunteering.models import Shift, Signup

# The salt of links already emailed, from when volunteering was part of news.
SALT = "news.signup"
CONFIRM_WITHIN = timedelta(hours=24)
REMIND_BEFORE = timedelta(hours=24)
Status = Signup.Status


# --- Links ---------------------------------------------------------------------------


def token(signup: Signup) -> str:
    return signing.dumps({"s": signup.pk, "e": signup.email}, salt=SALT, compress=True)


def from_token(value: str) -> Signup | None:
    """The sign-up of a link; links do not expire (cancelling must work until
    the shift), but a signed email address ties them to their sign-up."""
    try:
        data = signing.loads(value, salt=SALT)
        signups = Signup.objects.select_related("shift__opportunity")
        return signups.get(pk=data["s"], email=data["e"])
    except (signing.BadSignature, KeyError, TypeError, Signup.DoesNotExist):
        return None


def manage_url(signup: Signup) -> str:
    return outbox.absolute(reverse("volunteer:signup", args=[token(signup)]))


# --- Emails --------------------------------------------------------------------------


def _email(signup: Signup, kind: str, period: str = "") -> outbox.Email:
    shift = signup.shift
    opportunity = shift.opportunity
    starts = timezone.localtime(shift.starts_at)
    ends = timezone.localtime(shift.ends_at)
    return outbox.Email(
        kind=f"news.signup_{kind}",
        to=signup.email,
        about=signup,
        period=period or kind,
        language=signup.language,
        template="volunteering/emails/signup",
        context={
            "kind": kind,
            "waitlisted": signup.status == Status.WAITLISTED,
            "name": signup.name,
            "opportunity": opportunity.title,
            "role": shift.role,
            "starts": starts.isoformat(),
            "ends": ends.isoformat(),
            "location": opportunity.location,
            "remote": opportunity.remote,
            "party_size": signup.party_size,
            "contact_email": opportunity.contact_email,
            "url": manage_url(signup),
            "opportunity_url": outbox.absolute(opportunity.get_absolute_url()),
        },
    )


# --- Counting -----------------------------------------------------------------------


def places_taken(shift: Shift) -> int:
    taken = shift.signups.filter(status__in=Signup.HOLDING).aggregate(n=Sum("party_size"))["n"]
    return int(taken or 0)


def _lock(shift: Shift) -> Shift:
    return Shift.objects.select_for_update().get(pk=shift.pk)


# --- Signing up ------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    signup: Signup | None
    # The address already holds an active sign-up for this shift: the page
    # must not say so (it would tell anyone who signed up); the person is
    # reminded by email instead.
    already: bool = False


def sign_up(
    shift: Shift, *, name: str, email: str, phone: str, party_size: int, language: str
) -> Outcome:
    email = email.strip().lower()
    with transaction.atomic():
        shift = _lock(shift)
        existing = shift.signups.filter(email=email, status__in=Signup.ACTIVE).first()
        if existing is not None:
            # At most one such email an hour for the same sign-up.
            again = f"again-{timezone.now():%Y%m%d%H}"
            outbox.queue(_email(existing, "reminder_link", period=again))
            return Outcome(existing, already=True)
        fits = places_taken(shift) + party_size <= shift.capacity
        signup = Signup.objects.create(
            shift=shift,
            name=name.strip(),
            email=email,
            phone=phone.strip(),
            party_size=party_size,
            language=language,
            status=Status.HELD if fits else Status.WAITLISTED,
        )
        outbox.queue(_email(signup, "confirm"))
    return Outcome(signup)


def confirm(signup: Signup) -> Signup:
    """The person followed the link: their address is theirs."""
    with transaction.atomic():
        _lock(signup.shift)
        signup.refresh_from_db()
        if signup.confirmed_at is not None or signup.status not in Signup.ACTIVE:
            return signup
        signup.confirmed_at = timezone.now()
        if signup.status == Status.HELD:
            signup.status = Status.CONFIRMED
            outbox.queue(_email(signup, "confirmed"))
        signup.save(update_fields=["confirmed_at", "status"])
        # A confirmed person on the waitlist may fit in places freed meanwhile.
        _promote(signup.shift)
    return signup


def cancel(signup: Signup) -> Signup:
    """Cancelling a place, or leaving the waitlist."""
    with transaction.atomic():
        shift = _lock(signup.shift)
        signup.refresh_from_db()
        if signup.status not in Signup.ACTIVE:
            return signup
        signup.status = Status.CANCELLED
        signup.cancelled_at = timezone.now()
        signup.save(update_fields=["status", "cancelled_at"])
        outbox.queue(_email(signup, "cancelled"))
        _promote(shift)
    return signup


def _promote(shift: Shift) -> list[Signup]:
    """Within the shift's lock: give freed places to confirmed people on the
    waitlist, in order."""
    free = shift.capacity - places_taken(shift)
    promoted = []
    for waiting in shift.signups.filter(status=Status.WAITLISTED, confirmed_at__isnull=False):
        if free <= 0:
            break
        if waiting.party_size <= free:
            waiting.status = Status.CONFIRMED
            waiting.save(update_fields=["status"])
            free -= waiting.party_size
            outbox.queue(_email(waiting, "promoted"))
            promoted.append(waiting)
    return promoted


# --- Beat ------------------------------------------------------------------------------


def expire_unconfirmed(now: datetime | None = None) -> int:
    """Sign-ups not confirmed within 24 hours expire and free their places."""
    cutoff = (now or timezone.now()) - CONFIRM_WITHIN
    expired = 0
    stale = Signup.objects.filter(
        status__in=Signup.ACTIVE, confirmed_at__isnull=True, created_at__lt=cutoff
    )
    for shift_id in stale.values_list("shift_id", flat=True).distinct():
        with transaction.atomic():
            shift = Shift.objects.select_for_update().get(pk=shift_id)
            expired += stale.filter(shift=shift).update(status=Status.EXPIRED)
            _promote(shift)
    if expired:
        content_changed("volunteering")
    return expired


def send_reminders(now: datetime | None = None) -> int:
    """A reminder the day before, once per confirmed person."""
    now = now or timezone.now()
    due = Signup.objects.filter(
        status=Status.CONFIRMED,
        reminded_at__isnull=True,
        shift__starts_at__gt=now,
        shift__starts_at__lte=now + REMIND_BEFORE,
    ).select_related("shift__opportunity")
    sent = 0
    for signup in due:
        with transaction.atomic():
            first = Signup.objects.filter(pk=signup.pk, reminded_at__isnull=True)
            if first.update(reminded_at=now):
                outbox.queue(_email(signup, "reminder"))
                sent += 1
    return sent
