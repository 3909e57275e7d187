"""Volunteer opportunities in English and Spanish: the list, the page, the
sign-up pages, the emails and the calendar files read the Spanish version
for a Spanish reader or volunteer, and mark the English where there is none;
staff write both side by side."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from justop.models import OutboxEmail
from justop.outbox import rendering
from tests.volunteering.factories import OpportunityFactory, ShiftFactory
from volunteering import demo
from volunteering import services as volunteering
from volunteering.models import Opportunity, Shift, Signup

pytestmark = pytest.mark.django_db
NOTE = "Disponible solo en inglés."


def page(url: str, language: str) -> str:
    return Client().get(url, headers={"accept-language": language}).content.decode()


def h1(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found, html
    return found[1].strip()


@pytest.fixture
def shift() -> Shift:
    opportunity = OpportunityFactory(
        title="Food bank helpers",
        title_es="Voluntarios del banco de alimentos",
        summary="Sort food for neighbors.",
        summary_es="Clasifique alimentos para los vecinos.",
        description="Sorting and **packing**.",
        description_es="Clasificar y **empacar**.",
        location="Westside food bank",
        location_es="Banco de alimentos del Westside",
    )
    return ShiftFactory(opportunity=opportunity, role="Sorting", role_es="Clasificación")


def sign_up(shift: Shift, email: str, language: str) -> Signup:
    outcome = volunteering.sign_up(
        shift, name="Ana Lima", email=email, phone="", party_size=1, language=language
    )
    return outcome.signup


def last_email(kind: str, to: str):
    row = OutboxEmail.objects.filter(kind=f"news.signup_{kind}", recipient=to).latest("pk")
    return row, rendering.render(row)


def event_of(ics: str | bytes):
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    return event


def test_a_spanish_reader_reads_the_opportunity_and_its_shifts_in_spanish(shift):
    opportunity = shift.opportunity

    es = page(opportunity.get_absolute_url(), "es")
    assert h1(es) == "Voluntarios del banco de alimentos"
    assert "Clasifique alimentos para los vecinos." in es
    assert "Clasificar y <strong>empacar</strong>." in es
    assert "Banco de alimentos del Westside" in es
    assert ">Clasificación</td>" in es
    assert NOTE not in es
    listing = page(reverse("volunteer:list"), "es")
    assert "Voluntarios del banco de alimentos" in listing and "Food bank helpers" not in listing
    form = page(reverse("volunteer:sign_up", args=[opportunity.slug, shift.pk]), "es")
    assert "Voluntarios del banco de alimentos</a>" in form and "Clasificación ·" in form

    en = page(opportunity.get_absolute_url(), "en")
    assert h1(en) == "Food bank helpers"
    assert ">Sorting</td>" in en and "Westside food bank" in en


def test_an_opportunity_without_spanish_is_marked_english_on_a_spanish_page():
    shift = ShiftFactory(opportunity__title="Only English helpers", role="Sorting")
    opportunity = shift.opportunity

    es = page(opportunity.get_absolute_url(), "es")

    assert h1(es) == '<span lang="en">Only English helpers</span>'
    assert re.search(r'<div class="prose" lang="en">\s*<p>Sorting and packing', es)
    assert '<span lang="en">Sorting</span></td>' in es
    assert es.count(NOTE) == 1
    assert '<span lang="en">Only English helpers</span>' in page(reverse("volunteer:list"), "es")
    assert NOTE not in page(opportunity.get_absolute_url(), "en")


def test_roles_only_in_english_under_a_spanish_opportunity_have_their_own_note():
    shift = ShiftFactory(opportunity__title_es="Banco de alimentos", role="Sorting")

    es = page(shift.opportunity.get_absolute_url(), "es")

    assert h1(es) == "Banco de alimentos"
    assert '<span lang="en">Sorting</span>' in es
    assert es.count(NOTE) == 1


def test_a_spanish_volunteer_gets_the_spanish_title_by_email_and_in_the_calendar(shift):
    signup = sign_up(shift, "ana@example.org", "es")

    # Confirmed from an English page (or a beat task): the person's language counts.
    volunteering.confirm(signup)

    row, message = last_email("confirmed", "ana@example.org")
    assert "Voluntarios del banco de alimentos" in message.subject
    assert "Clasificación" in message.body and "Banco de alimentos del Westside" in message.body
    assert "Food bank helpers" not in message.body
    [invitation] = row.attachments
    event = event_of(invitation["content"])
    assert str(event["summary"]) == "Voluntarios del banco de alimentos: Clasificación"
    assert str(event["location"]) == "Banco de alimentos del Westside"
    assert str(event["description"]).startswith("Clasifique alimentos para los vecinos.")

    # The file behind the emailed link is in the sign-up's language too.
    ics = Client().get(
        reverse("volunteer:signup_ics", args=[volunteering.token(signup)]),
        headers={"accept-language": "en"},
    )
    assert str(event_of(ics.content)["summary"]).startswith("Voluntarios del banco")


def test_an_english_volunteer_gets_the_english_title_by_email_and_in_the_calendar(shift):
    signup = volunteering.confirm(sign_up(shift, "sam@example.org", "en"))

    row, message = last_email("confirmed", "sam@example.org")
    assert "Food bank helpers" in message.subject
    assert "Sorting" in message.body and "Voluntarios" not in message.body
    [invitation] = row.attachments
    assert str(event_of(invitation["content"])["summary"]) == "Food bank helpers: Sorting"
    ics = Client().get(
        reverse("volunteer:signup_ics", args=[volunteering.token(signup)]),
        headers={"accept-language": "es"},
    )
    assert str(event_of(ics.content)["summary"]) == "Food bank helpers: Sorting"


def test_the_reminder_and_the_cancellation_follow_the_volunteers_language(shift):
    signup = volunteering.confirm(sign_up(shift, "ana@example.org", "es"))
    soon = timezone.now() + timedelta(hours=5)
    Shift.objects.filter(pk=shift.pk).update(starts_at=soon, ends_at=soon + timedelta(hours=3))

    assert volunteering.send_reminders() == 1
    volunteering.cancel(signup)

    for kind in ("reminder", "cancelled"):
        row, message = last_email(kind, "ana@example.org")
        assert "Voluntarios del banco de alimentos" in message.subject, kind
        [file] = row.attachments
        assert str(event_of(file["content"])["summary"]).startswith("Voluntarios"), kind


def test_a_spanish_volunteers_email_marks_a_title_only_in_english():
    shift = ShiftFactory(opportunity__title="Only English helpers")
    volunteering.confirm(sign_up(shift, "ana@example.org", "es"))

    _row, message = last_email("confirmed", "ana@example.org")
    html = next(content for content, mime in message.alternatives if mime == "text/html")
    assert '<strong lang="en">Only English helpers</strong>' in html


def test_staff_write_an_opportunity_and_its_shifts_in_both_languages(staff_client):
    html = staff_client.get(reverse("admin:volunteering_opportunity_add")).content.decode()
    for field, label in [
        ("title_en", "Title (English)"),
        ("title_es", "Title (Spanish)"),
        ("summary_es", "Summary (Spanish)"),
        ("description_es", "Description (Spanish)"),
        ("location_es", "Location (Spanish)"),
        ("shifts-0-role_en", "Role (English)"),
        ("shifts-0-role_es", "Role (Spanish)"),
    ]:
        assert re.search(rf'<label[^>]*for="id_{field}"[^>]*>{re.escape(label)}', html), field


def test_every_demo_opportunity_and_shift_has_its_spanish_version():
    demo.seed_volunteering()

    assert Opportunity.objects.count() == len(demo.OPPORTUNITIES)
    for opportunity in Opportunity.objects.all():
        assert opportunity.title_es and opportunity.summary_es and opportunity.description_es
        assert opportunity.remote or opportunity.location_es
    assert Shift.objects.exists()
    assert not Shift.objects.filter(role_es__isnull=True).exists()
    assert not Shift.objects.filter(role_es="").exists()
