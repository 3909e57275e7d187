"""Staff move an in-person forum online: the venue goes, its page and its
card say so, search engines read EventMovedOnline, and everyone registered
or waiting is told once: people with a place get the link and a calendar
file that replaces their copy, people waiting are told they still wait."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from forums import calendar, registration
from forums.models import Forum
from justop.models import OutboxEmail
from tests.factories import MemberFactory
from tests.forums.factories import ForumFactory

pytestmark = pytest.mark.django_db
LINK = "https://meet.example.org/secret-room"


def in_person(**kwargs) -> Forum:
    return ForumFactory(
        venue_name="PSE Offices",
        venue_address="50 Hurt Plaza SE",
        map_url="https://maps.example.org/pse",
        online_url=LINK,
        audience=Forum.Audience.PUBLIC,
        **kwargs,
    )


def calendar_parts(message):
    return [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]


def json_ld_events(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    found = []
    for block in blocks:
        data = json.loads(block)
        for item in data if isinstance(data, list) else [data]:
            if item.get("@type") == "Event":
                found.append(item)
    return found


def test_moving_online_tells_everyone_once_and_gives_the_link_to_people_with_a_place(
    smtp_sink,
):
    forum = in_person(capacity=1)
    placed = registration.rsvp(forum, MemberFactory(email="placed@example.org"), going=True)
    waiting = registration.rsvp(forum, MemberFactory(email="waiting@example.org"), going=True)
    registration.rsvp(forum, MemberFactory(email="gone@example.org"), going=False)
    assert waiting.status == "waitlisted"
    # They registered an hour ago: what their calendar holds since then.
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Forum.objects.filter(pk=forum.pk).update(created_at=an_hour_ago - timedelta(days=1))
    Forum.objects.filter(pk=forum.pk).update(updated_at=an_hour_ago)
    forum.registrations.update(confirmed_at=an_hour_ago)
    placed = forum.registrations.select_related("forum").get(pk=placed.pk)
    before = Calendar.from_ical(calendar.invitation(placed, "REQUEST"))

    assert registration.move_online(forum) == 2
    assert registration.move_online(forum) == 0  # once

    forum.refresh_from_db()
    assert forum.moved_online and forum.venue_name == forum.venue_address == forum.map_url == ""
    [to_placed] = [m for m in smtp_sink.to(placed.email) if "Now online" in m["Subject"]]
    [to_waiting] = [m for m in smtp_sink.to(waiting.email) if "Now online" in m["Subject"]]
    assert not [m for m in smtp_sink.to("gone@example.org") if "Now online" in m["Subject"]]
    assert LINK in to_placed.get_body(("plain",)).get_content()
    assert LINK not in to_waiting.get_body(("plain",)).get_content()
    assert "still on the waitlist" in to_waiting.get_body(("plain",)).get_content()
    [request] = calendar_parts(to_placed)
    assert request["Content-Type"].params["method"] == "REQUEST"
    [old], [new] = before.walk("VEVENT"), Calendar.from_ical(request.get_content()).walk("VEVENT")
    assert str(new["uid"]) == str(old["uid"])
    assert int(new["sequence"]) > int(old["sequence"])
    assert LINK in str(new["location"])
    assert "PSE Offices" not in str(new["location"])
    assert not calendar_parts(to_waiting)


def test_the_page_the_card_and_search_engines_say_it_moved_online(client):
    forum = in_person()
    registration.move_online(forum)

    page = client.get(forum.get_absolute_url()).content.decode()
    assert "This forum now takes place online only, at the same time." in page
    [event] = json_ld_events(page)
    assert event["eventStatus"] == "https://schema.org/EventMovedOnline"
    assert event["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert LINK not in json.dumps(event)  # visitors never read the link
    card = client.get(reverse("forums:list")).content.decode()
    assert "Moved online" in card


def test_a_forum_without_an_online_link_or_over_cannot_move_online():
    with pytest.raises(registration.CannotMoveOnline):
        registration.move_online(ForumFactory(online_url="", venue_name="Hall"))
    ended = in_person(starts_at=timezone.now() - timedelta(hours=3))
    ended.ends_at = ended.starts_at + timedelta(hours=1)
    ended.save()
    with pytest.raises(registration.CannotMoveOnline):
        registration.move_online(ended)
    cancelled = in_person()
    registration.cancel_forum(cancelled)
    with pytest.raises(registration.CannotMoveOnline):
        registration.move_online(cancelled)


def test_staff_move_forums_online_from_the_admin_and_hear_which_could_not(staff_client):
    movable = in_person(title="Movable")
    stuck = ForumFactory(title="Stuck", online_url="", venue_name="Hall")
    registration.rsvp(movable, MemberFactory(), going=True)

    response = staff_client.post(
        reverse("admin:forums_forum_changelist"),
        {"action": "move_forums_online", ACTION_CHECKBOX_NAME: [movable.pk, stuck.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "1 person told." in page
    assert "Not moved" in page and "Stuck" in page
    movable.refresh_from_db()
    stuck.refresh_from_db()
    assert movable.moved_online and not stuck.moved_online
    assert OutboxEmail.objects.filter(kind="forums.forum_moved_online").count() == 1
