"""Journeys of visitors and staff through the public side of the portal, in a
real browser, with the worker sending the emails and axe checking every page:

- a visitor reads a news post, signs up for the volunteer shift it points to,
  confirms by the emailed link and cancels from the reminder;
- a visitor registers for a public forum, confirms, and adds it to a calendar;
- staff sign in with their authenticator, publish a post in the admin, and
  visitors see it on the home page and in the RSS feed.

Each runs in English on a desktop with JavaScript, and in Spanish on a phone
without it. Pages are found by what a person reads on them, in the language
of the journey."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.utils import timezone, translation
from django.utils.text import capfirst, slugify
from icalendar import Calendar
from playwright.sync_api import Locator, expect

from circle.models import User
from forums.models import Registration
from news.models import NewsPost
from tests.factories import PASSWORD, StaffFactory
from tests.forums.factories import ForumFactory
from tests.journeys import VARIANTS, Journey, journey, link_in
from tests.journeys import portal as portal  # the fixture
from tests.news.factories import NewsPostFactory
from tests.volunteering.factories import ShiftFactory
from volunteering import services as volunteering
from volunteering.models import Signup
from volunteering.tasks import send_shift_reminders

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

ATLANTA = ZoneInfo(settings.TIME_ZONE)
VARIANT = "language, viewport, javascript"


# --- Helpers ------------------------------------------------------------------------


def say(language: str, text: Any, **values: Any) -> str:
    """text as the portal words it in language: a msgid as written in the
    templates (placeholders as %(name)s), or a lazy label of a model."""
    with translation.override(language):
        said = translation.gettext(text) if isinstance(text, str) else str(text)
    return said % values if values else said


def places_left(trip: Journey, role: str) -> Locator:
    """The "places left" cell of a shift's row on an opportunity page."""
    row = trip.page.get_by_role("row").filter(has=trip.page.get_by_text(role, exact=True))
    return row.get_by_role("cell").nth(1)


def authenticator_code(user: User) -> str:
    """The code the person's authenticator app shows now. Near the end of a
    period it waits for the next one, so the code is still good when sent."""
    left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
    if left < 3:
        time.sleep(left)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(decrypt(authenticator.data["secret"]), counter))


def atlanta_evening(days: int) -> datetime:
    """6 pm in Atlanta, some days from now."""
    day = timezone.localtime(timezone.now(), ATLANTA) + timedelta(days=days)
    return day.replace(hour=18, minute=0, second=0, microsecond=0)


# --- 1. Volunteering ----------------------------------------------------------------


@pytest.mark.parametrize(VARIANT, VARIANTS)
def test_a_visitor_signs_up_from_a_news_post_confirms_and_cancels_from_the_reminder(
    browser, portal, axe, language, viewport, javascript
):
    variant = (language, viewport, javascript)
    # The shift starts in 20 hours: tomorrow's reminder is due as soon as
    # the beat task runs.
    shift = ShiftFactory(starts_at=timezone.now() + timedelta(hours=20), capacity=3)
    opportunity = shift.opportunity
    post = NewsPostFactory(
        title="Volunteers wanted at the Westside pantry",
        category=NewsPost.Category.VOLUNTEER,
        body=f"Give three hours this week. [Sign up for a shift]({opportunity.get_absolute_url()})",
    )
    email = f"ana.{language}@example.org"
    trip = journey(browser, portal, axe, variant)
    page = trip.page

    trip.goto("/news/")
    page.get_by_role("link", name=post.title).click()
    trip.settle()
    expect(page.get_by_role("heading", level=1)).to_have_text(post.title)
    page.get_by_role("link", name="Sign up for a shift").click()
    trip.settle()
    expect(page.get_by_role("heading", level=1)).to_have_text(opportunity.title)
    expect(places_left(trip, shift.role)).to_have_text("3")

    sign_up = re.compile(rf"^{re.escape(say(language, 'Sign up'))}\s*: {shift.role}")
    page.get_by_role("link", name=sign_up).click()
    trip.settle()
    page.get_by_label(say(language, "Your name")).fill("Ana Lima")
    page.get_by_label(say(language, "Your email address")).fill(email)
    page.get_by_role("button", name=say(language, "Sign up"), exact=True).click()
    trip.settle()
    expect(page.get_by_role("heading", level=1)).to_have_text(say(language, "Check your email"))

    subject = say(language, "Confirm your sign-up: %(opportunity)s", opportunity=opportunity.title)
    trip.goto(link_in(portal.email_to(email, subject), "/volunteer/sign-ups/"))
    page.get_by_role("button", name=say(language, "Confirm my sign-up")).click()
    trip.settle()  # the reminder's link shows this state, checked there
    expect(page.get_by_role("status")).to_contain_text(say(language, Signup.Status.CONFIRMED.label))
    page.get_by_role("link", name=opportunity.title).click()
    trip.settle()
    expect(places_left(trip, shift.role)).to_have_text("2")

    # What beat does at ten past every hour: enqueue the task for the worker.
    send_shift_reminders.delay()
    subject = say(language, "Tomorrow: %(opportunity)s", opportunity=opportunity.title)
    trip.goto(link_in(portal.email_to(email, subject), "/volunteer/sign-ups/"))
    page.get_by_role("button", name=say(language, "Cancel my sign-up")).click()
    trip.settle()  # the confirmation step, checked like any page
    page.get_by_role("button", name=say(language, "Yes, cancel my place")).click()
    trip.settle(again=True)
    expect(page.get_by_role("status")).to_contain_text(say(language, Signup.Status.CANCELLED.label))
    signup = Signup.objects.get(shift=shift, email=email)
    assert signup.status == Signup.Status.CANCELLED
    assert signup.reminded_at is not None
    assert volunteering.places_taken(shift) == 0

    page.get_by_role("link", name=opportunity.title).click()
    trip.settle()
    expect(places_left(trip, shift.role)).to_have_text("3")
    trip.finish()


# --- 2. A public forum -----------------------------------------------------------------


@pytest.mark.parametrize(VARIANT, VARIANTS)
def test_a_visitor_registers_for_a_public_forum_confirms_and_adds_it_to_a_calendar(
    browser, portal, axe, language, viewport, javascript
):
    variant = (language, viewport, javascript)
    starts = atlanta_evening(days=12)
    forum = ForumFactory(
        title="Transit and good jobs",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        venue_name="PSE Offices",
        venue_address="50 Hurt Plaza SE, Atlanta, GA",
    )
    email = f"marcus.{language}@example.org"
    trip = journey(browser, portal, axe, variant)
    page = trip.page

    trip.goto("/forums/")
    page.get_by_role("link", name=forum.title).click()
    trip.settle()
    page.get_by_role("link", name=say(language, "Register"), exact=True).click()
    trip.settle()
    page.get_by_label(say(language, "Your name")).fill("Marcus Reed")
    page.get_by_label(say(language, "Your email address")).fill(email)
    page.get_by_label(say(language, "Organization (optional)")).fill("Westside Works")
    page.get_by_role("button", name=say(language, "Register"), exact=True).click()
    trip.settle()
    expect(page.get_by_role("heading", level=1)).to_have_text(say(language, "Check your email"))

    subject = say(language, "Confirm your registration: %(forum)s", forum=forum.title)
    trip.goto(link_in(portal.email_to(email, subject), "/forums/registrations/"))
    page.get_by_role("button", name=say(language, "Confirm my registration")).click()
    trip.settle(again=True)
    expect(page.get_by_role("status")).to_have_text(
        say(language, Registration.Status.CONFIRMED.label)
    )
    assert Registration.objects.get(forum=forum, email=email).status == "confirmed"

    page.get_by_text(say(language, "Add to my calendar"), exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name=say(language, "Apple Calendar and others (.ics)")).click()
    ics = Calendar.from_ical(download.value.path().read_bytes())
    [event] = ics.walk("VEVENT")
    assert str(event["summary"]) == forum.title
    start = event["dtstart"]
    assert start.params["TZID"] == "America/New_York"
    assert start.dt == starts
    assert (start.dt.hour, start.dt.minute) == (18, 0)
    assert start.dt.utcoffset() == starts.utcoffset()
    # The guest has a place: their file (behind their link) has the online link too.
    assert str(event["location"]) == (
        f"PSE Offices, 50 Hurt Plaza SE, Atlanta, GA, {forum.online_url}"
    )
    trip.finish()


# --- 3. Staff publish a post ------------------------------------------------------------


@pytest.mark.parametrize(VARIANT, VARIANTS)
def test_staff_sign_in_with_their_authenticator_and_publish_a_post_visitors_see(
    browser, portal, axe, language, viewport, javascript
):
    variant = (language, viewport, javascript)
    staff = StaffFactory(email=f"pat.{language}@example.org", name="Pat Staff", language=language)
    earlier = NewsPostFactory(publish_at=timezone.now() - timedelta(days=2))
    title = "The Circle welcomes twelve new members"
    visitor = journey(browser, portal, axe, variant)
    # A visitor sees the home page before the post exists (a cached copy,
    # if the portal keeps one, must not outlive the change).
    visitor.goto("/")
    expect(visitor.page.get_by_role("link", name=earlier.title)).to_be_visible()
    expect(visitor.page.get_by_role("link", name=title)).to_have_count(0)

    # Staff go straight to the admin, which sends them to sign in first.
    trip = journey(browser, portal, axe, variant)
    page = trip.page
    trip.goto("/admin/")
    page.get_by_label(say(language, "Email")).fill(staff.email)
    page.get_by_label(say(language, "Password")).fill(PASSWORD)
    page.get_by_role("button", name=say(language, "Sign in"), exact=True).click()
    trip.settle()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        say(language, "Two-Factor Authentication")
    )
    page.get_by_label(say(language, "Code")).fill(authenticator_code(staff))
    page.get_by_role("button", name=say(language, "Sign In"), exact=True).click()
    trip.settle()
    assert trip.path == "/admin/"
    posts = capfirst(say(language, NewsPost._meta.verbose_name_plural))
    page.get_by_role("rowheader", name=posts, exact=True).get_by_role("link").click()
    trip.settle()
    add = say(language, "Add %(name)s", name=say(language, NewsPost._meta.verbose_name))
    page.get_by_role("link", name=add).click()
    trip.settle()

    def field(name: str) -> Locator:
        label = capfirst(say(language, NewsPost._meta.get_field(name).verbose_name))
        if name in ("title", "summary", "body"):  # written in English and Spanish
            label = f"{label} ({say(language, 'English')})"
        return page.get_by_label(label)

    field("title").fill(title)
    field("title").press("Tab")
    if javascript:  # the admin's script fills in the slug from the title
        expect(field("slug")).to_have_value(slugify(title))
    else:
        field("slug").fill(slugify(title))
    field("category").select_option(label=say(language, NewsPost.Category.HAPPENINGS.label))
    field("summary").fill("Twelve organizations joined the Circle this spring.")
    field("body").fill("They bring **training**, hiring and places to meet.")
    field("status").select_option(label=say(language, NewsPost.Status.PUBLISHED.label))
    page.get_by_role("button", name=say(language, "Save"), exact=True).click()
    trip.settle(again=True)  # the list of posts, now with a message
    post = NewsPost.objects.get(title=title)
    assert post.is_live and post.slug == slugify(title) and post.author == staff

    page.get_by_role("link", name=say(language, "View site")).click()
    trip.settle()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    trip.finish()

    visitor.goto("/")
    expect(visitor.page.get_by_role("link", name=title)).to_be_visible()
    feed = visitor.page.request.get(portal.url + "/news/feed/rss/")
    assert feed.ok
    titles = [entry.title for entry in feedparser.parse(feed.body()).entries]
    assert titles[:2] == [title, earlier.title]
    visitor.finish()
