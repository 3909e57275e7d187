"""Calendar files of forums: they parse with icalendar, keep local times
right across a daylight-saving change, give the online link only to people
registered, and a person's secret feed can be revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from forums import calendar, registration
from forums.models import Forum
from tests.factories import MemberFactory, UserFactory
from tests.forums.factories import ForumFactory, invite, registered

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def events(content: bytes) -> dict[str, object]:
    parsed = Calendar.from_ical(content)
    return {str(e["summary"]): e for e in parsed.walk("VEVENT")}


def test_times_stay_right_across_the_end_of_daylight_saving():
    # 2026-11-01 02:00 EDT clocks go back to 01:00 EST in New York.
    before = ForumFactory(
        title="Saturday before",
        starts_at=datetime(2026, 10, 31, 22, 0, tzinfo=UTC),  # 6 pm EDT (UTC-4)
        ends_at=datetime(2026, 11, 1, 0, 0, tzinfo=UTC),
    )
    after = ForumFactory(
        title="Monday after",
        starts_at=datetime(2026, 11, 2, 23, 0, tzinfo=UTC),  # 6 pm EST (UTC-5)
        ends_at=datetime(2026, 11, 3, 1, 0, tzinfo=UTC),
    )
    across = ForumFactory(
        title="Through the change",
        starts_at=datetime(2026, 11, 1, 5, 0, tzinfo=UTC),  # 1:00 EDT
        ends_at=datetime(2026, 11, 1, 7, 30, tzinfo=UTC),  # 2:30 EST
    )

    content = calendar.calendar([before, after, across], name="Test", registered_ids=set())
    parsed = Calendar.from_ical(content)
    found = events(content)

    # The time zone travels with the file, both of its rules included.
    [zone] = parsed.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "America/New_York"
    assert {c.name for c in zone.subcomponents} >= {"STANDARD", "DAYLIGHT"}
    for event, forum in ((found["Saturday before"], before), (found["Monday after"], after)):
        start = event.decoded("dtstart")
        assert (start.hour, start.minute) == (18, 0)  # 6 pm on the wall clock either way
        assert event["dtstart"].params["TZID"] == "America/New_York"
        assert start.astimezone(UTC) == forum.starts_at
    assert found["Saturday before"].decoded("dtstart").utcoffset() == timedelta(hours=-4)
    assert found["Monday after"].decoded("dtstart").utcoffset() == timedelta(hours=-5)
    # Two and a half real hours, though the wall clock shows 1:00 to 2:30.
    event = found["Through the change"]
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert (start.hour, start.minute, end.hour, end.minute) == (1, 0, 2, 30)
    assert start.astimezone(UTC) == across.starts_at
    assert end.astimezone(UTC) == across.ends_at
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=2, minutes=30)


def test_a_forums_file_has_what_a_calendar_needs_and_the_link_only_for_people_registered(client):
    forum = ForumFactory(title="Transit and jobs", online_url="https://meet.example.org/room-9")
    member = MemberFactory()
    url = reverse("forums:forum_ics", args=[forum.slug])

    anonymous = client.get(url)
    assert anonymous["Content-Type"].startswith("text/calendar")
    event = events(anonymous.content)["Transit and jobs"]
    assert str(event["uid"]).startswith(f"forum-{forum.pk}@")
    assert str(event["url"]).endswith(forum.get_absolute_url())
    assert "mailto:forums@example.org" in str(event["organizer"])
    assert "PSE Offices" in str(event["location"])
    assert "room-9" not in anonymous.content.decode()

    registration.rsvp(forum, member, going=True)
    client.force_login(member)
    mine = client.get(url).content.decode()
    assert "room-9" in mine.replace("\r\n ", "")


def test_a_cancelled_forum_says_so_in_calendars():
    forum = ForumFactory(title="Called off")
    registration.cancel_forum(forum)
    forum.refresh_from_db()

    event = events(calendar.forum_file(forum, registered=False))["Called off"]

    assert str(event["status"]) == "CANCELLED"


def test_the_public_feed_lists_public_forums_only(client):
    ForumFactory(title="Open to all")
    ForumFactory(title="Members only", audience=Forum.Audience.MEMBERS)
    ForumFactory(title="Invited only", audience=Forum.Audience.INVITED)
    ForumFactory(title="A draft", status=Forum.Status.DRAFT)
    ForumFactory(title="Long ago", starts_at=timezone.now() - timedelta(days=200))
    client.force_login(MemberFactory())  # the feed is the same for everyone

    response = client.get(reverse("forums:feed"))

    assert response.status_code == 200
    assert set(events(response.content)) == {"Open to all"}
    # Nobody is registered in a public feed: no online link.
    assert "meet.example" not in response.content.decode().replace("\r\n ", "")


def test_a_members_secret_feed_lists_their_forums_and_a_new_address_revokes_the_old(client):
    member = MemberFactory()
    going = ForumFactory(title="I am going", audience=Forum.Audience.MEMBERS)
    invited = ForumFactory(title="I was invited", audience=Forum.Audience.INVITED)
    invite(invited, member)
    registered(going, member)
    registered(invited, member)
    ForumFactory(title="Not registered")
    waiting = ForumFactory(title="Waiting", capacity=1)
    registered(waiting, UserFactory())
    registration.rsvp(waiting, member, going=True)
    old = calendar.feed_for(member).token

    response = client.get(reverse("forums:personal_feed", args=[old]))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert set(events(response.content)) == {"I am going", "I was invited"}
    # The person's own file has the link to join online.
    assert "meet.example.org" in response.content.decode().replace("\r\n ", "")

    client.force_login(member)
    assert client.post(reverse("forums:reset_calendar")).status_code == 302
    new = calendar.feed_for(member).token
    assert new != old
    assert client.get(reverse("forums:personal_feed", args=[old])).status_code == 404
    assert client.get(reverse("forums:personal_feed", args=[new])).status_code == 200
    assert new in client.get(reverse("forums:mine")).content.decode()


def test_a_secret_feed_follows_the_visibility_rule_when_membership_ends():
    member = MemberFactory()
    forum = ForumFactory(title="Members only", audience=Forum.Audience.MEMBERS)
    registered(forum, member)
    token = calendar.feed_for(member).token
    member.memberships.all().delete()
    member = type(member).objects.get(pk=member.pk)  # a fresh look at who they are

    from circle.viewers import viewer_of

    assert calendar.user_of_token(token) == member
    assert events(calendar.personal_feed(viewer_of(member))) == {}
