"""Forums in English and Spanish: the page, the card, the agenda, the
materials and the calendar file read the Spanish version for a Spanish
reader, and mark the English where there is none; staff write both."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from forums import demo, registration
from forums.models import AgendaItem, Forum
from justop.models import OutboxEmail
from justop.outbox import rendering
from tests.forums.factories import ForumFactory

pytestmark = pytest.mark.django_db
NOTE = "Disponible solo en inglés."


def page(url: str, language: str) -> str:
    return Client().get(url, headers={"accept-language": language}).content.decode()


def test_a_spanish_reader_reads_the_forum_its_agenda_and_its_calendar_in_spanish():
    forum = ForumFactory(
        audience=Forum.Audience.PUBLIC,
        title="Transit and jobs",
        title_es="Transporte y empleo",
        summary="Neighbors and employers.",
        summary_es="Vecinos y empleadores.",
        description="We **meet**.",
        description_es="Nos **reunimos**.",
    )
    AgendaItem.objects.create(forum=forum, time="18:00", title_en="Welcome", title_es="Bienvenida")

    es = page(forum.get_absolute_url(), "es")
    assert re.search(r"<h1>\s*Transporte y empleo\s*</h1>", es)
    assert "Vecinos y empleadores." in es and "Nos <strong>reunimos</strong>." in es
    assert "<h3>Bienvenida</h3>" in es
    assert NOTE not in es
    assert "Transporte y empleo" in page(reverse("forums:list"), "es")
    en = page(forum.get_absolute_url(), "en")
    assert re.search(r"<h1>\s*Transit and jobs\s*</h1>", en) and "<h3>Welcome</h3>" in en

    ics = Client().get(
        reverse("forums:forum_ics", args=[forum.slug]), headers={"accept-language": "es"}
    )
    [event] = Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(event["summary"]) == "Transporte y empleo"


def test_a_forum_without_spanish_is_marked_english_on_a_spanish_page():
    forum = ForumFactory(audience=Forum.Audience.PUBLIC, title="Only English forum")
    AgendaItem.objects.create(forum=forum, time="18:00", title_en="Welcome")

    es = page(forum.get_absolute_url(), "es")

    assert '<h1><span lang="en">Only English forum</span></h1>' in es
    assert '<h3><span lang="en">Welcome</span></h3>' in es
    assert es.count(NOTE) == 1
    card = page(reverse("forums:list"), "es")
    assert '<span lang="en">Only English forum</span>' in card


def test_staff_write_a_forum_and_its_agenda_in_both_languages(staff_client):
    html = staff_client.get(reverse("admin:forums_forum_add")).content.decode()
    for field, label in [
        ("title_en", "Title (English)"),
        ("title_es", "Title (Spanish)"),
        ("description_es", "Description (Spanish)"),
        ("agenda-0-title_es", "Title (Spanish)"),
        ("materials-0-title_en", "Title (English)"),
    ]:
        assert re.search(rf'<label[^>]*for="id_{field}"[^>]*>{re.escape(label)}', html), field


# --- Getting there: the venue's directions ------------------------------------------------

DIRECTIONS = "Enter on Hurt Plaza. Nearest MARTA stop: Five Points."
DIRECTIONS_ES = "Entre por Hurt Plaza. Estación de MARTA más cercana: Five Points."


def test_a_spanish_reader_reads_how_to_get_to_the_venue_on_the_page_and_in_the_calendar():
    forum = ForumFactory(
        title_es="Transporte y empleo",
        summary_es="Vecinos y empleadores.",
        description_es="Nos reunimos.",
        venue_directions=DIRECTIONS,
        venue_directions_es=DIRECTIONS_ES,
    )

    es = page(forum.get_absolute_url(), "es")
    assert f'<dd class="forum-directions">{DIRECTIONS_ES}</dd>' in es
    assert NOTE not in es
    assert f'<dd class="forum-directions">{DIRECTIONS}</dd>' in page(forum.get_absolute_url(), "en")

    ics = Client().get(
        reverse("forums:forum_ics", args=[forum.slug]), headers={"accept-language": "es"}
    )
    [event] = Calendar.from_ical(ics.content).walk("VEVENT")
    assert DIRECTIONS_ES in str(event["description"])
    assert DIRECTIONS not in str(event["description"])
    # LOCATION stays the address maps read.
    assert str(event["location"]) == "PSE Offices, 50 Hurt Plaza SE, Atlanta, GA"


def test_directions_only_in_english_are_marked_on_a_spanish_page():
    forum = ForumFactory(
        title_es="Transporte y empleo",
        summary_es="Vecinos y empleadores.",
        description_es="Nos reunimos.",
        venue_directions=DIRECTIONS,
    )

    es = page(forum.get_absolute_url(), "es")

    assert f'<dd class="forum-directions" lang="en">{DIRECTIONS}</dd>' in es
    assert es.count(NOTE) == 1


def test_an_online_forum_gives_no_directions():
    forum = ForumFactory(venue_name="", venue_address="", venue_directions=DIRECTIONS)

    assert "forum-directions" not in page(forum.get_absolute_url(), "en")
    [event] = Calendar.from_ical(
        Client().get(reverse("forums:forum_ics", args=[forum.slug])).content
    ).walk("VEVENT")
    assert DIRECTIONS not in str(event["description"])


def test_a_spanish_guests_confirmation_email_gives_the_spanish_title_and_directions():
    forum = ForumFactory(
        title_es="Transporte y empleo",
        venue_directions=DIRECTIONS,
        venue_directions_es=DIRECTIONS_ES,
    )
    outcome = registration.register_guest(
        forum, name="Ana Lima", email_address="ana@example.org", language="es"
    )

    # Confirmed from anywhere (an English page, a task): the guest's language counts.
    registration.confirm(outcome.registration)

    row = OutboxEmail.objects.filter(kind="forums.confirmed", recipient="ana@example.org").get()
    message = rendering.render(row)
    html = next(content for content, mime in message.alternatives if mime == "text/html")
    assert "Transporte y empleo" in message.subject
    assert DIRECTIONS_ES in message.body and DIRECTIONS_ES in html
    assert DIRECTIONS not in message.body
    [invitation] = row.attachments
    [event] = Calendar.from_ical(invitation["content"]).walk("VEVENT")
    assert str(event["summary"]) == "Transporte y empleo"
    assert DIRECTIONS_ES in str(event["description"])


def test_an_english_guest_gets_the_english_directions_and_a_cancellation_none():
    forum = ForumFactory(venue_directions=DIRECTIONS, venue_directions_es=DIRECTIONS_ES)
    outcome = registration.register_guest(
        forum, name="Sam Lee", email_address="sam@example.org", language="en"
    )
    confirmed = registration.confirm(outcome.registration)
    registration.cancel(confirmed)

    emails = OutboxEmail.objects.filter(recipient="sam@example.org")
    confirmation = rendering.render(emails.get(kind="forums.confirmed"))
    assert DIRECTIONS in confirmation.body and DIRECTIONS_ES not in confirmation.body
    assert DIRECTIONS not in rendering.render(emails.get(kind="forums.cancelled")).body


def test_staff_write_the_directions_in_both_languages(staff_client):
    html = staff_client.get(reverse("admin:forums_forum_add")).content.decode()
    for field, label in [
        ("venue_directions_en", "Getting there (English)"),
        ("venue_directions_es", "Getting there (Spanish)"),
    ]:
        assert re.search(rf'<label[^>]*for="id_{field}"[^>]*>{re.escape(label)}', html), field


def test_moving_online_takes_the_directions_away_in_both_languages():
    forum = ForumFactory(venue_directions=DIRECTIONS, venue_directions_es=DIRECTIONS_ES)

    registration.move_online(forum)

    forum.refresh_from_db()
    assert forum.venue_directions_en == forum.venue_directions_es == ""


def test_every_in_person_demo_forum_has_directions_in_both_languages():
    for _title, _audience, _days, _hour, _hours, _capacity, venue, _online in demo.FORUMS:
        if venue:
            english, spanish = demo.DIRECTIONS[venue]
            assert english and spanish and english != spanish
