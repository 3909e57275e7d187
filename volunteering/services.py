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

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone, translation

from justop import outbox, places
from justop.translated import shown
from volunteering import calendar
from volunteering.models import Shift, Signup

# The salt of links already emailed, from when volunteering was part of news.
SALT = "news.signup"
REMIND_BEFORE = timedelta(hours=24)
Status = Signup.Status


# --- Emails --------------------------------------------------------------------------


# Emails that give the person a place carry the shift's calendar file; the
# cancellation of a confirmed address carries its CANCEL.
WITH_CALENDAR = {"confirmed", "promoted", "reminder"}


def _email(signup: Signup, kind: str, period: str = "") -> outbox.Email:
    # The opportunity's title, the role and the calendar file in the
    # person's language, wherever the email is sent from (a beat task, the
    # admin): the outbox renders the template in it, not the context.
    with translation.override(signup.language):
        return _email_in_language(signup, kind, period)


def _email_in_language(signup: Signup, kind: str, period: str) -> outbox.Email:
    shift = signup.shift
    opportunity = shift.opportunity
    starts = timezone.localtime(shift.starts_at)
    ends = timezone.localtime(shift.ends_at)
    attachments = []
    if kind in WITH_CALENDAR and signup.status == Status.CONFIRMED:
        attachments.append(calendar.attachment(signup, "REQUEST"))
    elif kind == "cancelled" and signup.confirmed_at is not None:
        attachments.append(calendar.attachment(signup, "CANCEL"))
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
            # The HTML marks a title that fell back to English (lang="en").
            "opportunity_lang": shown(opportunity, "title").fallback,
            "role": shift.role,
            "starts": starts.isoformat(),
            "ends": ends.isoformat(),
            "location": opportunity.location,
            "remote": opportunity.remote,
            "party_size": signup.party_size,
            "contact_email": opportunity.contact_email,
            "url": PLACES.url(signup),
            "opportunity_url": outbox.absolute(opportunity.get_absolute_url()),
        },
        attachments=attachments,
    )


# --- The places: the capacity engine, configured for shifts ----------------------------

PLACES = places.Places(
    parent=Shift,
    claim=Signup,
    # A party takes as many places as it has people; the waitlist's order is
    # when each signed up (Signup has no separate queue time).
    fields=places.Fields(parent="shift", claims="signups", size="party_size"),
    email=_email,
    salt=SALT,
    link_key="s",
    page="volunteer:signup",
    # Asked again with a live sign-up: the reminder of the link. Nobody is
    # told that they wait beyond the confirmation email.
    kinds=places.Kinds(link="reminder_link"),
    related=("shift__opportunity",),
)

token = PLACES.token
from_token = PLACES.from_token
manage_url = PLACES.url
places_taken = PLACES.taken
confirm = PLACES.confirm  # the person followed the link: the address is theirs
cancel = PLACES.cancel  # cancelling a place, or leaving the waitlist
# Sign-ups not confirmed within 24 hours expire and free their places.
expire_unconfirmed = PLACES.expire_unconfirmed


# --- Signing up ------------------------------------------------------------------------


class Outcome(places.Outcome[Signup]):
    """What became of a sign-up (`already`: see places.Outcome)."""

    @property
    def signup(self) -> Signup:
        return self.claim


def sign_up(
    shift: Shift, *, name: str, email: str, phone: str, party_size: int, language: str
) -> Outcome:
    """A sign-up holds its places until confirmed by the emailed link (or
    waits, when they do not fit)."""
    details = {
        "name": name.strip(),
        "phone": phone.strip(),
        "party_size": party_size,
        "language": language,
    }
    held = PLACES.hold(shift, email=email, details=details)
    return Outcome(held.claim, held.already)


# --- Beat ------------------------------------------------------------------------------


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
