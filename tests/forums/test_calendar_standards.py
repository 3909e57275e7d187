"""Forum calendars as calendar apps read them: a cancellation email that
removes the event it added (same UID, higher SEQUENCE, METHOD:CANCEL), the
method on the attachment's Content-Type, a compact time zone, and feeds
that say how often to fetch them again."""

from __future__ import annotations

import pytest
from django.urls import reverse
from icalendar import Calendar

from forums import calendar, registration
from tests.factories import MemberFactory
from tests.forums.factories import ForumFactory

pytestmark = pytest.mark.django_db


def calendar_parts(message):
    return [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]


def test_the_cancellation_email_cancels_the_event_the_confirmation_added(smtp_sink):
    forum = ForumFactory(title="Housing forum")
    member = MemberFactory(email="rosa@example.org")
    registration.rsvp(forum, member, going=True)
    [confirmed] = smtp_sink.to("rosa@example.org")
    [request] = calendar_parts(confirmed)
    assert request["Content-Type"].params["method"] == "REQUEST"
    assert request.get_content_charset() == "utf-8"
    added = Calendar.from_ical(request.get_content())
    assert str(added["method"]) == "REQUEST"
    [added_event] = added.walk("VEVENT")

    registration.rsvp(forum, member, going=False)

    [cancelled] = [m for m in smtp_sink.to("rosa@example.org") if m is not confirmed][-1:]
    [cancel] = calendar_parts(cancelled)
    assert cancel["Content-Type"].params["method"] == "CANCEL"
    removed = Calendar.from_ical(cancel.get_content())
    assert str(removed["method"]) == "CANCEL"
    [removed_event] = removed.walk("VEVENT")
    assert str(removed_event["uid"]) == str(added_event["uid"])
    assert int(removed_event["sequence"]) > int(added_event["sequence"])
    assert str(removed_event["status"]) == "CANCELLED"


def test_the_time_zone_is_two_rules_not_every_transition():
    content = calendar.calendar([ForumFactory()], name="Test", registered_ids=set())

    [zone] = Calendar.from_ical(content).walk("VTIMEZONE")

    assert str(zone["tzid"]) == "America/New_York"
    assert len(zone.subcomponents) <= 4
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert all("RRULE" in c for c in zone.subcomponents)


def test_the_public_feed_says_to_fetch_it_hourly_and_answers_304(client):
    ForumFactory(title="Open to all")

    response = client.get(reverse("forums:feed"))

    text = response.content.decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text
    assert "X-PUBLISHED-TTL:PT1H" in text
    assert response["Cache-Control"] == "public, no-cache"
    again = client.get(reverse("forums:feed"), headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
