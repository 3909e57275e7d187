"""Calendar files of volunteer shifts: the file behind a sign-up's emailed
link, the invitation in the emails that give a place (REQUEST, the person
as attendee) and its cancellation (CANCEL, same UID, higher SEQUENCE), and
the "add to my calendar" links of the sign-up page."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Event

from justop import calendars
from justop.outbox import absolute
from volunteering.models import Shift, Signup


def _title(shift: Shift) -> str:
    return f"{shift.opportunity.title}: {shift.role}"


def _location(shift: Shift) -> str:
    opportunity = shift.opportunity
    if opportunity.location:
        return opportunity.location
    return _("Remote") if opportunity.remote else ""


def event(signup: Signup) -> Event:
    shift = signup.shift
    zone = ZoneInfo(settings.TIME_ZONE)
    url = absolute(shift.opportunity.get_absolute_url())
    item = Event()
    item.add("uid", f"shift-{shift.pk}-signup-{signup.pk}@{calendars.domain()}")
    item.add("dtstamp", timezone.now())
    item.add("last-modified", shift.updated_at)
    item.add("sequence", calendars.sequence(shift.updated_at, signup.confirmed_at))
    item.add("summary", _title(shift))
    item.add("dtstart", shift.starts_at.astimezone(zone))
    item.add("dtend", shift.ends_at.astimezone(zone))
    people = (
        ngettext(
            "%(count)s person in your party", "%(count)s people in your party", signup.party_size
        )
        % {"count": signup.party_size}
        if signup.party_size > 1
        else ""
    )
    lines = [shift.opportunity.summary, people, url]
    item.add("description", "\n\n".join(line for line in lines if line))
    item.add("url", url)
    if location := _location(shift):
        item.add("location", location)
    item.add("organizer", calendars.organizer(shift.opportunity.contact_email))
    item.add("status", "CONFIRMED")
    return item


def signup_file(signup: Signup) -> tuple[bytes, str]:
    """The file behind the sign-up's link (PUBLISH: any calendar imports
    it), in the language of the sign-up, like the one its emails carry."""
    with translation.override(signup.language):
        cal = calendars.new_calendar(_title(signup.shift), "PUBLISH")
        cal.add_component(event(signup))
    return calendars.to_ical(cal), f"{signup.shift.opportunity.slug}-{signup.shift.pk}.ics"


def invitation(signup: Signup, method: str) -> bytes:
    """REQUEST for a place (added to the person's calendar, already
    accepted); CANCEL when it ends, one SEQUENCE above (RFC 5546). In the
    active language: the emails build it in the person's."""
    cal = calendars.new_calendar(_title(signup.shift), method)
    item = event(signup)
    if method == "CANCEL":
        item["sequence"] = (
            calendars.sequence(signup.shift.updated_at, signup.confirmed_at, signup.cancelled_at)
            + 1
        )
        item["status"] = "CANCELLED"
    calendars.add_attendee(item, email=signup.email, name=signup.name, accepted=method == "REQUEST")
    cal.add_component(item)
    return calendars.to_ical(cal)


def attachment(signup: Signup, method: str) -> dict[str, str]:
    return calendars.attachment(invitation(signup, method), name="shift", method=method)


def occasion(signup: Signup, token: str) -> calendars.Occasion:
    """The links of the sign-up page, in the page's language."""
    shift = signup.shift
    url = absolute(shift.opportunity.get_absolute_url())
    return calendars.Occasion(
        title=_title(shift),
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        details=f"{shift.opportunity.summary}\n\n{url}",
        location=_location(shift),
        ics_path=reverse("volunteer:signup_ics", args=[token]),
    )
