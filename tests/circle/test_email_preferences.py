"""Email preferences: how often a member gets the digest, which sections it
holds, and the language of their emails. Choosing a digest again after an
unsubscribe lets it flow again."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from circle import digests
from circle.models import EmailPreferences
from justop import outbox
from justop.models import Suppression
from justop.registry import (
    DigestSection,
    digest_sections,
    register_digest_section,
    unregister_digest_section,
)
from tests.factories import MemberFactory
from tests.smtp import text_of

PAGE = "/accounts/preferences/"


@pytest.fixture
def user(db):
    """Digests go to members of the Circle."""
    return MemberFactory()


IN_WEEK_48 = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture
def news():
    """Two digest sections; "news" has an item for the members listed here."""
    readers: set[int] = set()

    def for_members(users, period):
        return {
            u.pk: [{"title": "A new grant", "url": "/g/1/", "summary": "", "meta": ""}]
            for u in users
            if u.pk in readers
        }

    register_digest_section(DigestSection("test-news", "Test news", for_members, order=1))
    register_digest_section(
        DigestSection("test-events", "Test events", lambda users, period: {}, order=2)
    )
    yield readers
    unregister_digest_section("test-news")
    unregister_digest_section("test-events")


@pytest.fixture
def member(client, user):
    client.force_login(user)
    return user


def preferences_of(person) -> EmailPreferences:
    return EmailPreferences.objects.get(user=person)


def other_sections() -> list[str]:
    """Sections the apps themselves register: the member leaves them ticked."""
    return [s.key for s in digest_sections() if not s.key.startswith("test-")]


def save(client, sections=("test-news", "test-events"), **data):
    """Send the form as the member would, ticking these test sections."""
    form = {"digest_frequency": "weekly", "language": "en"} | data
    form["sections"] = [*sections, *other_sections()]
    return client.post(PAGE, form)


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=/accounts/preferences/" in response["Location"]


def test_the_page_lists_the_frequencies_the_sections_and_the_language(client, member, news):
    response = client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    for value in ("off", "daily", "weekly"):
        assert re.search(rf'<input type="radio" name="digest_frequency" value="{value}"', html)
    for label in ("Off: no digest", "Daily", "Weekly"):
        assert label in html
    for key, title in (("test-news", "Test news"), ("test-events", "Test events")):
        assert re.search(rf'<input type="checkbox" name="sections" value="{key}"', html)
        assert title in html
    assert re.search(r'<select name="language"', html)
    assert re.search(r'<option value="en" selected>English</option>', html)
    assert '<option value="es">Spanish</option>' in html
    # Someone who never chose gets the weekly digest with every section.
    assert re.search(r'value="weekly"[^>]*checked', html)
    assert re.search(r'value="test-news"[^>]*checked', html)
    assert re.search(r'value="test-events"[^>]*checked', html)


def test_the_page_shows_what_the_member_chose_before(client, member, news):
    EmailPreferences.objects.create(
        user=member, digest_frequency="daily", digest_sections_off=["test-events"]
    )
    member.language = "es"
    member.save()

    form = client.get(PAGE).context["form"]

    assert form["digest_frequency"].value() == "daily"
    assert "test-news" in form["sections"].value()
    assert "test-events" not in form["sections"].value()
    assert form["language"].value() == "es"


def test_saving_stores_frequency_sections_and_language(client, member, news):
    response = save(client, digest_frequency="daily", sections=["test-news"], language="es")

    assert response.status_code == 302
    assert response["Location"] == PAGE
    preferences = preferences_of(member)
    assert preferences.digest_frequency == "daily"
    assert preferences.digest_sections_off == ["test-events"]
    assert not preferences.wants_section("test-events")
    assert preferences.wants_section("test-news")
    member.refresh_from_db()
    assert member.language == "es"


def test_a_section_turned_back_on_is_wanted_again(client, member, news):
    EmailPreferences.objects.create(user=member, digest_sections_off=["test-events"])

    save(client, sections=["test-news", "test-events"])

    assert preferences_of(member).digest_sections_off == []


def test_unticking_every_section_turns_them_all_off(client, member, news):
    # An unticked checkbox sends nothing: the form has no "sections" at all.
    client.post(PAGE, {"digest_frequency": "weekly", "language": "en"})

    off = preferences_of(member).digest_sections_off
    assert sorted(off) == sorted(["test-news", "test-events", *other_sections()])


def test_a_section_not_shown_on_the_form_stays_off(client, member, news):
    # A section this member turned off, from an app that no longer registers it.
    EmailPreferences.objects.create(user=member, digest_sections_off=["retired-section"])

    save(client, sections=["test-news"])

    assert sorted(preferences_of(member).digest_sections_off) == [
        "retired-section",
        "test-events",
    ]


def test_a_saved_form_says_so(client, member, news):
    response = client.post(
        PAGE,
        {"digest_frequency": "off", "sections": ["test-news"], "language": "en"},
        follow=True,
    )

    assert response.redirect_chain == [(PAGE, 302)]
    assert "Your email preferences are saved." in response.content.decode()
    assert preferences_of(member).digest_frequency == "off"


@pytest.mark.parametrize("frequency", ["daily", "weekly"])
def test_choosing_a_digest_after_unsubscribing_lets_digests_flow_again(
    client, smtp_sink, user, news, frequency
):
    client.force_login(user)
    news.add(user.pk)
    outbox.unsubscribe(user.email, digests.STREAM, source="one-click")
    assert Suppression.objects.filter(email=user.email, stream="digest").exists()
    assert preferences_of(user).digest_frequency == "off"

    save(client, digest_frequency=frequency)

    assert not Suppression.objects.filter(email=user.email, stream="digest").exists()
    assert preferences_of(user).digest_frequency == frequency
    digests.send_digests(frequency, now=IN_WEEK_48)
    [message] = smtp_sink.to(user.email)
    assert "A new grant" in text_of(message)


def test_choosing_no_digest_keeps_the_address_unsubscribed(client, member, news):
    outbox.unsubscribe(member.email, digests.STREAM, source="one-click")

    save(client, digest_frequency="off")

    suppression = Suppression.objects.get(email=member.email, stream="digest")
    assert suppression.source == "one-click"


def test_saving_preferences_leaves_other_streams_unsubscribed(client, member, news):
    Suppression.objects.create(email=member.email, stream="newsletter", source="page")

    save(client, digest_frequency="weekly")

    assert Suppression.objects.filter(email=member.email, stream="newsletter").exists()


def test_an_invalid_choice_is_refused_with_an_error_and_nothing_is_lost(client, member, news):
    EmailPreferences.objects.create(
        user=member, digest_frequency="daily", digest_sections_off=["test-events"]
    )
    member.language = "es"
    member.save()

    response = save(
        client, digest_frequency="hourly", sections=["test-news", "no-such-section"], language="fr"
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"digest_frequency", "sections", "language"}
    assert "Select a valid choice" in response.content.decode()
    preferences = preferences_of(member)
    assert preferences.digest_frequency == "daily"
    assert preferences.digest_sections_off == ["test-events"]
    member.refresh_from_db()
    assert member.language == "es"


def test_a_refused_form_does_not_resubscribe_an_unsubscribed_member(client, member, news):
    outbox.unsubscribe(member.email, digests.STREAM, source="one-click")

    response = save(client, digest_frequency="weekly", language="fr")

    assert response.status_code == 200
    assert Suppression.objects.filter(email=member.email, stream="digest").exists()
    assert preferences_of(member).digest_frequency == "off"


def test_one_invalid_field_does_not_save_the_valid_ones(client, member, news):
    response = save(client, digest_frequency="hourly", sections=["test-news"], language="es")

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["digest_frequency"]
    assert not EmailPreferences.objects.filter(user=member).exists()
    member.refresh_from_db()
    assert member.language == "en"
    # The member's other choices are still on the form, ready to send again.
    assert response.context["form"]["sections"].value() == ["test-news", *other_sections()]
    assert response.context["form"]["language"].value() == "es"
