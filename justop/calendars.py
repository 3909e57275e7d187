"""What every calendar of the portal shares (iCalendar, RFC 5545/5546/7986):
the file's frame, the Atlanta time zone written compactly, the attendee of an
invitation, the email attachment, the HTTP response, and the links that add
one event to Google Calendar or Outlook on the web or subscribe to a feed.

Forums (forums/calendar.py) and volunteer shifts (volunteering/calendar.py)
build their events; this module knows nothing of either."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
    vText,
)

from justop.outbox import absolute
from justop.syndication import FEED_CACHE_CONTROL

PRODID = "-//Partnership for Southern Equity//JUST Opportunity Portal//EN"
# How often subscribed clients should fetch a feed again (RFC 7986 and
# Outlook's older name for it).
REFRESH = timedelta(hours=1)
# A SEQUENCE counts seconds from here: it only has to grow with each change.
SEQUENCE_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
DTSTAMP = re.compile(rb"^DTSTAMP:[^\r\n]*\r?\n", re.MULTILINE)


def new_york() -> Timezone:
    """America/New_York as its two current rules (US law since 2007), not
    every transition from 1970 to 2038 as icalendar would write it: a
    handful of lines every client expands itself."""
    zone = Timezone()
    zone.add("tzid", "America/New_York")
    daylight = TimezoneDaylight()
    daylight.add("dtstart", datetime(2007, 3, 11, 2, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "2SU"})
    daylight.add("tzoffsetfrom", timedelta(hours=-5))
    daylight.add("tzoffsetto", timedelta(hours=-4))
    daylight.add("tzname", "EDT")
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(2007, 11, 4, 2, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 11, "byday": "1SU"})
    standard.add("tzoffsetfrom", timedelta(hours=-4))
    standard.add("tzoffsetto", timedelta(hours=-5))
    standard.add("tzname", "EST")
    zone.add_component(daylight)
    zone.add_component(standard)
    return zone


def domain() -> str:
    """The right-hand side of every UID: the portal's own host name."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def sequence(*times: datetime | None) -> int:
    """A SEQUENCE that grows with the latest of the times given."""
    latest = max(t for t in times if t is not None)
    return max(int((latest - SEQUENCE_EPOCH).total_seconds()), 0)


def new_calendar(name: str, method: str, *, prodid: str = PRODID) -> Calendar:
    """A calendar to publish (a file or a feed, which clients refresh
    hourly) or to send (REQUEST or CANCEL, RFC 5546)."""
    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    if method == "PUBLISH":
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(REFRESH))
    return cal


def to_ical(cal: Calendar) -> bytes:
    """The calendar's bytes, with the definition of the time zone its times use."""
    if settings.TIME_ZONE == "America/New_York":
        cal.add_component(new_york())
    else:
        cal.add_missing_timezones()
    return bytes(cal.to_ical())


def organizer(contact_email: str) -> vCalAddress:
    name, address = parseaddr(contact_email or settings.DEFAULT_FROM_EMAIL)
    person = vCalAddress(f"mailto:{address}")
    person.params["cn"] = vText(name or "Partnership for Southern Equity")
    return person


def add_attendee(item: Event, *, email: str, name: str, accepted: bool) -> None:
    """The person the file is sent to, already answered: nothing to RSVP."""
    attendee = vCalAddress(f"mailto:{email}")
    attendee.params["cn"] = vText(name or email)
    attendee.params["partstat"] = vText("ACCEPTED" if accepted else "DECLINED")
    attendee.params["rsvp"] = vText("FALSE")
    item.add("attendee", attendee)


def attachment(content: bytes, *, name: str, method: str) -> dict[str, str]:
    """An email attachment whose Content-Type names the method, as RFC 6047
    asks (the outbox passes the type through to Django's attach), named
    `<name>.ics`, or `<name>-cancelled.ics` for a CANCEL."""
    return {
        "filename": f"{name}-cancelled.ics" if method == "CANCEL" else f"{name}.ics",
        "content": content.decode(),
        "mimetype": f"text/calendar; method={method}; charset=utf-8",
    }


def response(content: bytes, filename: str, *, private: bool) -> HttpResponse:
    """A calendar file or feed over HTTP. DTSTAMP is the time of writing:
    the rest is the same calendar, so its hash is a weak ETag."""
    answer = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    answer["Cache-Control"] = "private, no-store" if private else FEED_CACHE_CONTROL
    stable = DTSTAMP.sub(b"", content)
    answer["ETag"] = f'W/"{hashlib.sha256(stable).hexdigest()[:32]}"'
    return answer


# --- Links -------------------------------------------------------------------------------


def webcal(path: str) -> str:
    """The feed's address with the scheme calendar apps open to subscribe
    (Apple Calendar, Outlook, most phones): webcal:// on the portal's host."""
    return "webcal://" + absolute(path).split("://", 1)[1]


def google_subscribe(path: str) -> str:
    """Google Calendar's page that adds a feed by its address."""
    return "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal(path)})


@dataclass(frozen=True)
class Occasion:
    """One event as the "add to my calendar" links describe it. The details
    and location are what anyone who sees the link may read: an online
    meeting's link stays in the files of people with a place."""

    title: str
    starts_at: datetime
    ends_at: datetime
    details: str
    location: str
    ics_path: str

    def _utc(self, moment: datetime, pattern: str) -> str:
        return moment.astimezone(UTC).strftime(pattern)

    @property
    def google(self) -> str:
        dates = "/".join(self._utc(t, "%Y%m%dT%H%M%SZ") for t in (self.starts_at, self.ends_at))
        query = {
            "action": "TEMPLATE",
            "text": self.title,
            "dates": dates,
            "details": self.details,
            "location": self.location,
            "ctz": settings.TIME_ZONE,
        }
        return "https://calendar.google.com/calendar/render?" + urlencode(query)

    def _outlook(self, host: str) -> str:
        query = {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": self.title,
            "startdt": self._utc(self.starts_at, "%Y-%m-%dT%H:%M:%SZ"),
            "enddt": self._utc(self.ends_at, "%Y-%m-%dT%H:%M:%SZ"),
            "body": self.details,
            "location": self.location,
        }
        return f"https://{host}/calendar/0/deeplink/compose?" + urlencode(query)

    @property
    def outlook(self) -> str:
        """Outlook.com: personal Microsoft accounts."""
        return self._outlook("outlook.live.com")

    @property
    def office(self) -> str:
        """Outlook of Microsoft 365: work and school accounts."""
        return self._outlook("outlook.office.com")

    @property
    def links(self) -> list[tuple[str, str]]:
        return [
            (str(_("Google Calendar")), self.google),
            (str(_("Outlook.com")), self.outlook),
            (str(_("Outlook (Microsoft 365)")), self.office),
            (str(_("Apple Calendar and others (.ics)")), self.ics_path),
        ]
