"""Calendars a person can use in one tap: feeds with a webcal:// subscribe
link and Google Calendar's, "add to my calendar" links on forums, forum
registrations and volunteer sign-ups (Google, Outlook.com, Microsoft 365,
the .ics file), and volunteer shifts in the person's calendar (a file behind
the sign-up's link, a REQUEST in the emails that give a place, a CANCEL when
it ends)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from forums import calendar as forum_calendar
from forums import registration
from justop import calendars
from tests.factories import MemberFactory
from tests.forums.factories import ForumFactory
from tests.volunteering.factories import ShiftFactory
from volunteering import calendar as shift_calendar
from volunteering import services as volunteering
from volunteering.models import Signup

pytestmark = pytest.mark.django_db

SITE = "https://portal.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html)]


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def files_behind_links(html: str, prefix: str) -> list[str]:
    """The calendar files the page links behind a signed link: the page signs
    its own (a signature holds the second it was made), so found by shape."""
    return [h for h in hrefs(html) if re.fullmatch(rf"{prefix}[^/]+/calendar\.ics", h)]


def calendar_parts(message):
    return [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]


def sign_up(shift, email="ana@example.org", party_size=1) -> Signup:
    outcome = volunteering.sign_up(
        shift, name="Ana Lima", email=email, phone="", party_size=party_size, language="en"
    )
    return outcome.signup


# --- The links themselves ----------------------------------------------------------------


def test_an_occasion_gives_google_and_outlook_the_same_time_in_utc():
    starts = datetime(2026, 7, 1, 22, 0, tzinfo=UTC)  # 6 pm in Atlanta (EDT)
    occasion = calendars.Occasion(
        title="Jobs & housing: a forum",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        details="Summary\n\nhttps://portal.example.org/forums/x/",
        location="PSE Offices, 50 Hurt Plaza SE",
        ics_path="/forums/x/calendar.ics",
    )

    google = query_of(occasion.google)
    assert occasion.google.startswith("https://calendar.google.com/calendar/render?")
    assert google["action"] == "TEMPLATE"
    assert google["text"] == "Jobs & housing: a forum"
    assert google["dates"] == "20260701T220000Z/20260702T000000Z"
    assert google["location"] == "PSE Offices, 50 Hurt Plaza SE"
    assert google["details"].endswith("https://portal.example.org/forums/x/")
    assert google["ctz"] == "America/New_York"
    for url, host in [
        (occasion.outlook, "outlook.live.com"),
        (occasion.office, "outlook.office.com"),
    ]:
        assert urlsplit(url).hostname == host
        outlook = query_of(url)
        assert outlook["rru"] == "addevent"
        assert outlook["subject"] == "Jobs & housing: a forum"
        assert outlook["startdt"] == "2026-07-01T22:00:00Z"
        assert outlook["enddt"] == "2026-07-02T00:00:00Z"
        assert outlook["location"] == "PSE Offices, 50 Hurt Plaza SE"
    assert [url for _label, url in occasion.links][-1] == "/forums/x/calendar.ics"


def test_subscribe_links_are_on_the_portals_own_host_whatever_the_request_said():
    assert (
        calendars.webcal("/forums/calendar.ics")
        == "webcal://portal.example.org/forums/calendar.ics"
    )
    google = query_of(calendars.google_subscribe("/forums/calendar.ics"))
    assert google["cid"] == "webcal://portal.example.org/forums/calendar.ics"


# --- Forums ---------------------------------------------------------------------------------


def test_the_forum_list_offers_to_subscribe_to_the_public_forums(client):
    html = client.get(reverse("forums:list"), headers={"host": "testserver"}).content.decode()
    links = hrefs(html)
    assert "webcal://portal.example.org/forums/calendar.ics" in links
    google = [h for h in links if h.startswith("https://calendar.google.com/")]
    assert [query_of(h)["cid"] for h in google] == [
        "webcal://portal.example.org/forums/calendar.ics"
    ]
    assert reverse("forums:feed") in links


def test_a_member_subscribes_to_their_own_forums_by_webcal_or_google(client):
    member = MemberFactory()
    client.force_login(member)
    token = forum_calendar.feed_for(member).token
    html = client.get(reverse("forums:mine")).content.decode()
    address = f"portal.example.org/forums/calendar/{token}.ics"
    assert f"webcal://{address}" in hrefs(html)
    assert any(query_of(h).get("cid") == f"webcal://{address}" for h in hrefs(html))
    assert f'value="https://{address}"' in html


def test_a_forum_page_adds_it_to_google_or_outlook_without_its_online_link(client):
    forum = ForumFactory(
        title="Online forum",
        venue_name="",
        venue_address="",
        online_url="https://meet.example.org/secret-room",
    )
    member = MemberFactory()
    registration.rsvp(forum, member, going=True)
    client.force_login(member)

    html = client.get(forum.get_absolute_url()).content.decode()

    assert "Join online" in html  # the person has a place: the page shows the link
    links = hrefs(html)
    google = next(h for h in links if h.startswith("https://calendar.google.com/calendar/render?"))
    outlook = [h for h in links if "/calendar/0/deeplink/compose?" in h]
    assert len(outlook) == 2
    assert query_of(google)["text"] == "Online forum"
    for link in [google, *outlook]:
        assert "secret-room" not in link
    assert query_of(google)["details"].endswith(f"{SITE}{forum.get_absolute_url()}")
    assert reverse("forums:forum_ics", args=[forum.slug]) in links


def test_a_registration_page_has_its_own_file_with_the_online_link_once_confirmed(client):
    forum = ForumFactory(online_url="https://meet.example.org/room-42")
    outcome = registration.register_guest(
        forum, name="Guest", email_address="guest@example.org", organization="", language="en"
    )
    guest = outcome.registration
    token = registration.token(guest)
    page = reverse("forums:registration", args=[token])
    prefix = reverse("forums:registration", args=["x"]).removesuffix("x/")
    assert not files_behind_links(client.get(page).content.decode(), prefix)  # not confirmed yet

    registration.confirm(guest)
    [ics] = files_behind_links(client.get(page).content.decode(), prefix)
    response = client.get(ics)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert "room-42" in str(event["description"]) + str(event.get("location", ""))
    assert client.get(ics.replace("/calendar.ics", "xx/calendar.ics")).status_code == 404


# --- Volunteer shifts --------------------------------------------------------------------------


def test_the_confirmation_email_puts_the_shift_in_the_calendar_and_the_cancellation_removes_it(
    smtp_sink,
):
    shift = ShiftFactory(role="Sorting", opportunity__title="Food pantry")
    signup = sign_up(shift)
    [confirm_email] = smtp_sink.to("ana@example.org")
    assert not calendar_parts(confirm_email)  # no place before the address is confirmed

    volunteering.confirm(signup)
    [request] = calendar_parts(smtp_sink.to("ana@example.org")[-1])
    assert request["Content-Type"].params["method"] == "REQUEST"
    added = Calendar.from_ical(request.get_content())
    [event] = added.walk("VEVENT")
    assert str(event["summary"]) == "Food pantry: Sorting"
    assert event["dtstart"].params["TZID"] == "America/New_York"
    assert event["dtstart"].dt == shift.starts_at.replace(microsecond=0)
    assert event["dtend"].dt == shift.ends_at.replace(microsecond=0)
    assert str(event["location"]) == shift.opportunity.location
    assert str(event["attendee"]) == "mailto:ana@example.org"
    assert str(event["attendee"].params["partstat"]) == "ACCEPTED"

    volunteering.cancel(Signup.objects.get(pk=signup.pk))
    [cancel] = calendar_parts(smtp_sink.to("ana@example.org")[-1])
    assert cancel["Content-Type"].params["method"] == "CANCEL"
    [removed] = Calendar.from_ical(cancel.get_content()).walk("VEVENT")
    assert str(removed["uid"]) == str(event["uid"])
    assert int(removed["sequence"]) > int(event["sequence"])
    assert str(removed["status"]) == "CANCELLED"


def test_a_changed_shift_replaces_the_calendars_copy():
    shift = ShiftFactory()
    signup = volunteering.confirm(sign_up(shift))
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Signup.objects.filter(pk=signup.pk).update(confirmed_at=an_hour_ago)
    type(shift).objects.filter(pk=shift.pk).update(updated_at=an_hour_ago)
    before = shift_calendar.event(Signup.objects.get(pk=signup.pk))

    shift.refresh_from_db()
    shift.starts_at += timedelta(hours=1)
    shift.ends_at += timedelta(hours=1)
    shift.save()  # staff move the shift: updated_at is now

    after = shift_calendar.event(
        Signup.objects.select_related("shift__opportunity").get(pk=signup.pk)
    )
    assert str(after["uid"]) == str(before["uid"])
    assert int(after["sequence"]) > int(before["sequence"])


def test_the_sign_up_page_adds_a_confirmed_shift_to_a_calendar(client):
    shift = ShiftFactory(opportunity__title="Food pantry", role="Packing")
    signup = sign_up(shift, party_size=3)
    token = volunteering.token(signup)
    page = reverse("volunteer:signup", args=[token])
    prefix = reverse("volunteer:signup", args=["x"]).removesuffix("x/")
    assert not files_behind_links(client.get(page).content.decode(), prefix)

    volunteering.confirm(signup)
    html = client.get(page).content.decode()
    links = hrefs(html)
    [ics] = files_behind_links(html, prefix)
    google = next(h for h in links if h.startswith("https://calendar.google.com/calendar/render?"))
    assert query_of(google)["text"] == "Food pantry: Packing"

    response = client.get(ics)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["summary"]) == "Food pantry: Packing"
    assert "3 people in your party" in str(event["description"])
    assert client.get(f"{prefix}not-a-token/calendar.ics").status_code == 404


def test_the_links_speak_spanish_on_a_spanish_page(client):
    shift = ShiftFactory()
    signup = volunteering.confirm(sign_up(shift))
    page = reverse("volunteer:signup", args=[volunteering.token(signup)])
    html = client.get(page, headers={"accept-language": "es"}).content.decode()
    assert "Agregar a mi calendario" in html
