"""Calendar files (iCalendar, RFC 5545) of forums: one forum, the public feed,
and a person's own feed behind a secret address.

Times carry the America/New_York time zone with its VTIMEZONE, so a client
shows 6 pm as 6 pm on either side of a daylight-saving change. The online
link goes only into the files of people registered for the forum."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Event

from circle.models import User
from circle.viewers import ANONYMOUS, Viewer
from forums.models import CalendarFeed, Forum, Registration
from justop import calendars
from justop.outbox import absolute

PRODID = "-//Partnership for Southern Equity//JUST Opportunity forums//EN"
# The public feed keeps recent forums too, so a calendar does not lose them
# the day after.
FEED_PAST = timedelta(days=90)


def _location(forum: Forum, registered: bool) -> str:
    parts = [p for p in (forum.venue_name, forum.venue_address) if p]
    if forum.online_url and registered:
        parts.append(forum.online_url)
    elif forum.online_url and not parts:
        parts.append(_("Online (the link is sent to people registered)"))
    return ", ".join(parts)


def _directions(forum: Forum) -> str:
    """How to get into the venue, for the description (LOCATION stays the
    address that calendars hand to maps)."""
    if not (forum.venue_name and forum.venue_directions):
        return ""
    return _("Getting there: %(directions)s") % {"directions": forum.venue_directions}


def event(forum: Forum, *, registered: bool) -> Event:
    zone = ZoneInfo(settings.TIME_ZONE)
    url = absolute(forum.get_absolute_url())
    item = Event()
    item.add("uid", f"forum-{forum.pk}@{calendars.domain()}")
    item.add("dtstamp", timezone.now())
    item.add("last-modified", forum.updated_at)
    # Bumped on every change, so clients replace their copy.
    item.add("sequence", int(forum.updated_at.timestamp()) - int(forum.created_at.timestamp()))
    item.add("summary", forum.title)
    item.add("dtstart", forum.starts_at.astimezone(zone))
    item.add("dtend", forum.ends_at.astimezone(zone))
    description = [forum.summary, "", url]
    if forum.online_url and registered:
        description[1:1] = ["", _("Join online: %(url)s") % {"url": forum.online_url}]
    if directions := _directions(forum):
        description[1:1] = ["", directions]
    item.add("description", "\n".join(description))
    item.add("url", url)
    location = _location(forum, registered)
    if location:
        item.add("location", location)
    item.add("organizer", calendars.organizer(forum.contact_email))
    item.add("status", "CANCELLED" if forum.is_cancelled else "CONFIRMED")
    return item


def calendar(forums: Iterable[Forum], *, name: str, registered_ids: set[int]) -> bytes:
    cal = calendars.new_calendar(name, "PUBLISH", prodid=PRODID)
    for forum in forums:
        cal.add_component(event(forum, registered=forum.pk in registered_ids))
    return calendars.to_ical(cal)


def _sequence(registration: Registration, method: str) -> int:
    """Grows with every change of the forum and of the person's place, so a
    cancellation (or a place taken again) replaces what their calendar has;
    a CANCEL is one above the REQUEST of the same second."""
    forum = registration.forum
    times = [forum.updated_at, registration.confirmed_at]
    if method == "CANCEL":
        times.append(registration.cancelled_at)
    latest = max(t for t in times if t is not None)
    seconds = int(latest.timestamp()) - int(forum.created_at.timestamp())
    return seconds + 1 if method == "CANCEL" else seconds


def invitation(registration: Registration, method: str) -> bytes:
    """The file of the emails: REQUEST for a place (added to the person's
    calendar, already accepted), CANCEL when it ends (the same UID, a higher
    SEQUENCE, STATUS:CANCELLED), per RFC 5546."""
    forum = registration.forum
    cal = calendars.new_calendar(forum.title, method, prodid=PRODID)
    item = event(forum, registered=method == "REQUEST")
    item["sequence"] = _sequence(registration, method)
    calendars.add_attendee(
        item, email=registration.email, name=registration.name, accepted=method == "REQUEST"
    )
    if method == "CANCEL":
        item["status"] = "CANCELLED"
    cal.add_component(item)
    return calendars.to_ical(cal)


def attachment(registration: Registration, method: str) -> dict[str, str]:
    return calendars.attachment(invitation(registration, method), name="forum", method=method)


def registered_forum_ids(user: User | None, forums: Iterable[Forum]) -> set[int]:
    if user is None:
        return set()
    return set(
        Registration.objects.filter(
            user=user, forum__in=list(forums), status=Registration.Status.CONFIRMED
        ).values_list("forum_id", flat=True)
    )


def forum_file(forum: Forum, *, registered: bool) -> bytes:
    return calendar([forum], name=forum.title, registered_ids={forum.pk} if registered else set())


def public_feed() -> bytes:
    forums = Forum.objects.visible_to(ANONYMOUS).filter(ends_at__gte=timezone.now() - FEED_PAST)
    return calendar(
        forums.order_by("starts_at"), name=_("JUST Opportunity forums"), registered_ids=set()
    )


def personal_forums(viewer: Viewer) -> QuerySet[Forum]:
    """The forums the person has a place at, still visible to them."""
    return (
        Forum.objects.visible_to(viewer)
        .filter(
            registrations__user=viewer.user,
            registrations__status=Registration.Status.CONFIRMED,
            ends_at__gte=timezone.now() - FEED_PAST,
        )
        .exclude(status=Forum.Status.DRAFT)
        .order_by("starts_at")
    )


def personal_feed(viewer: Viewer) -> bytes:
    forums = list(personal_forums(viewer))
    return calendar(
        forums, name=_("My JUST Opportunity forums"), registered_ids={f.pk for f in forums}
    )


def feed_for(user: User) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def new_token(user: User) -> CalendarFeed:
    """Revoke the old secret address: a new token replaces it."""
    with transaction.atomic():
        feed = feed_for(user)
        feed.token = CalendarFeed._meta.get_field("token").get_default()
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
    return feed


def user_of_token(token: str) -> User | None:
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def occasion(forum: Forum, ics_path: str) -> calendars.Occasion:
    """The forum as the "add to my calendar" links give it: what its page
    shows anyone who may see it (the online link stays in the files of
    people registered)."""
    url = absolute(forum.get_absolute_url())
    details = [forum.summary, _directions(forum), url]
    return calendars.Occasion(
        title=forum.title,
        starts_at=forum.starts_at,
        ends_at=forum.ends_at,
        details="\n\n".join(line for line in details if line),
        location=_location(forum, registered=False),
        ics_path=ics_path,
    )


def registration_file(registration: Registration) -> tuple[bytes, str]:
    """The calendar file behind a registration's emailed link: with the
    online link while the person has a place."""
    forum = registration.forum
    has_place = registration.status == Registration.Status.CONFIRMED
    return forum_file(forum, registered=has_place), f"{forum.slug}.ics"
