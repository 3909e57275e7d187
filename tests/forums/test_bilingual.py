"""Forums in English and Spanish: the page, the card, the agenda, the
materials and the calendar file read the Spanish version for a Spanish
reader, and mark the English where there is none; staff write both."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from forums.models import AgendaItem, Forum
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
