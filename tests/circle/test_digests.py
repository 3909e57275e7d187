"""The member digest: one email per member and period, holding only what the
sections they want found for them, in their language, sent once however often
the run is repeated, built with the same number of queries for any number of
members."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy

from circle import digests
from circle.models import EmailPreferences
from justop import outbox
from justop.digests import Period
from justop.models import OutboxEmail
from justop.registry import DigestSection, register_digest_section, unregister_digest_section
from tests.factories import MemberFactory as UserFactory
from tests.factories import OrganizationFactory
from tests.smtp import html_of, text_of

NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")

# A Tuesday morning of ISO week 48: the last complete week is 2026-W47
# (Monday 16 to Sunday 22 November).
IN_WEEK_48 = datetime(2026, 11, 24, 9, 0, tzinfo=NY)
IN_WEEK_49 = datetime(2026, 12, 1, 9, 0, tzinfo=NY)


def item(title: str, url: str = "/opportunities/1/", summary: str = "", meta: str = "") -> dict:
    return {"title": title, "url": url, "summary": summary, "meta": meta}


class Board:
    """What is new for each member in two test sections.

    "News" looks the members' verified addresses up in the database (one
    query for the whole batch, like a real section); "Events" answers from
    memory. Each returns items only for the members given items here."""

    def __init__(self) -> None:
        self.news: dict[str, list[dict]] = {}  # by email address
        self.events: dict[int, list[dict]] = {}  # by user pk
        self.calls: list[tuple[str, list[int], Period]] = []

    def news_for_members(self, users, period):
        self.calls.append(("test-news", [u.pk for u in users], period))
        addresses = EmailAddress.objects.filter(
            user_id__in=[u.pk for u in users], verified=True, email__in=list(self.news)
        ).values_list("user_id", "email")
        found: dict[int, list[dict]] = {}
        for user_id, email in addresses:
            found.setdefault(user_id, []).extend(self.news[email])
        return found

    def events_for_members(self, users, period):
        self.calls.append(("test-events", [u.pk for u in users], period))
        return {u.pk: self.events[u.pk] for u in users if u.pk in self.events}


@pytest.fixture
def board():
    board = Board()
    register_digest_section(
        DigestSection("test-news", "Test news", for_members=board.news_for_members, order=1)
    )
    register_digest_section(
        DigestSection("test-events", "Test events", for_members=board.events_for_members, order=2)
    )
    yield board
    unregister_digest_section("test-news")
    unregister_digest_section("test-events")


def member(frequency: str | None = None, sections_off: tuple[str, ...] = (), **kwargs):
    """A member with a verified address; with a preferences row only when a
    frequency or turned-off sections are given."""
    person = UserFactory(**kwargs)
    if frequency is not None or sections_off:
        EmailPreferences.objects.create(
            user=person,
            digest_frequency=frequency or EmailPreferences.DEFAULT_FREQUENCY,
            digest_sections_off=list(sections_off),
        )
    return person


def weekly(now: datetime = IN_WEEK_48) -> digests.DigestRun:
    return digests.send_digests("weekly", now=now)


# --- Periods ---------------------------------------------------------------------


def test_just_after_local_midnight_the_daily_period_is_yesterday_in_new_york():
    now = datetime(2026, 11, 24, 0, 30, tzinfo=NY)

    period = Period.last_complete("daily", now)

    assert period.key == "2026-11-23"
    assert period.first_day == period.last_day == date(2026, 11, 23)
    assert period.start == datetime(2026, 11, 23, 0, 0, tzinfo=NY)
    assert period.end == datetime(2026, 11, 24, 0, 0, tzinfo=NY)
    assert Period.last_complete("daily", now.astimezone(UTC)) == period


def test_when_utc_is_already_the_next_day_the_daily_period_is_still_new_yorks_yesterday():
    # 04:30 UTC on the 24th is 23:30 on the 23rd in New York: the 23rd is not over.
    now = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)

    period = Period.last_complete("daily", now)

    assert period.key == "2026-11-22"
    assert period.start == datetime(2026, 11, 22, 0, 0, tzinfo=NY)
    assert period.end == datetime(2026, 11, 23, 0, 0, tzinfo=NY)


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 23, 0, 5, tzinfo=NY),  # Monday just after local midnight
        datetime(2026, 11, 23, 5, 5, tzinfo=UTC),  # the same moment seen from UTC
        datetime(2026, 11, 26, 12, 0, tzinfo=NY),  # Thursday
        datetime(2026, 11, 29, 23, 30, tzinfo=NY),  # Sunday night: UTC is already Monday
    ],
)
def test_the_weekly_period_is_the_previous_monday_to_sunday(now):
    period = Period.last_complete("weekly", now)

    assert period.key == "2026-W47"
    assert period.first_day == date(2026, 11, 16)
    assert period.first_day.weekday() == 0
    assert period.last_day == date(2026, 11, 22)
    assert period.last_day.weekday() == 6
    assert period.start == datetime(2026, 11, 16, 0, 0, tzinfo=NY)
    assert period.end == datetime(2026, 11, 23, 0, 0, tzinfo=NY)


def test_on_sunday_night_the_current_week_is_not_complete_yet():
    # Sunday 22 November, 23:30 in New York; Monday 04:30 in UTC.
    now = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)

    period = Period.last_complete("weekly", now)

    assert period.key == "2026-W46"
    assert (period.first_day, period.last_day) == (date(2026, 11, 9), date(2026, 11, 15))


def test_period_bounds_are_aware_local_midnights_even_across_the_end_of_daylight_saving():
    # Daylight saving time ends on Sunday 1 November 2026.
    period = Period.last_complete("weekly", datetime(2026, 11, 3, 12, 0, tzinfo=NY))

    assert period.key == "2026-W44"
    for bound in (period.start, period.end):
        assert bound.tzinfo is not None
        local = bound.astimezone(NY)
        assert (local.hour, local.minute, local.second) == (0, 0, 0)
    assert period.start.utcoffset() == timedelta(hours=-4)
    assert period.end.utcoffset() == timedelta(hours=-5)
    # The week was an hour longer than seven days (same-zone subtraction is wall-clock).
    assert period.end.astimezone(UTC) - period.start.astimezone(UTC) == timedelta(days=7, hours=1)


@pytest.mark.parametrize(
    ("now", "key", "first_day", "last_day"),
    [
        (datetime(2027, 1, 5, 9, 0, tzinfo=NY), "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        (datetime(2026, 1, 6, 9, 0, tzinfo=NY), "2026-W01", date(2025, 12, 29), date(2026, 1, 4)),
    ],
)
def test_a_week_across_new_year_is_named_by_its_iso_year(now, key, first_day, last_day):
    period = Period.last_complete("weekly", now)

    assert period.key == key
    assert (period.first_day, period.last_day) == (first_day, last_day)


def test_an_unknown_frequency_is_refused():
    with pytest.raises(ValueError, match="hourly"):
        Period.last_complete("hourly", IN_WEEK_48)


# --- Who receives what ------------------------------------------------------------


def test_running_the_weekly_digest_twice_sends_each_digest_once_and_a_later_week_again(
    smtp_sink, board
):
    ana, ben = member(), member()
    board.events = {ana.pk: [item("Grant writing workshop")], ben.pk: [item("Site visit")]}

    first = weekly()
    again = weekly()

    assert (first.period, first.queued) == ("2026-W47", 2)
    assert (again.period, again.queued) == ("2026-W47", 0)
    assert len(smtp_sink.to(ana.email)) == 1
    assert len(smtp_sink.to(ben.email)) == 1
    assert OutboxEmail.objects.filter(kind="digest.weekly").count() == 2
    assert set(smtp_sink.message_ids().values()) == {1}

    later = weekly(IN_WEEK_49)

    assert (later.period, later.queued) == ("2026-W48", 2)
    assert len(smtp_sink.to(ana.email)) == 2
    assert len(smtp_sink.to(ben.email)) == 2
    rows = OutboxEmail.objects.filter(kind="digest.weekly")
    assert sorted(rows.values_list("period", flat=True)) == ["2026-W47"] * 2 + ["2026-W48"] * 2
    assert set(rows.values_list("state", flat=True)) == {OutboxEmail.State.SENT}
    assert set(smtp_sink.message_ids().values()) == {1}


def test_the_beat_entries_fired_twice_send_each_digest_once(smtp_sink, board):
    from circle.tasks import send_digests
    from justop.celery import app

    ana = member()
    board.events = {ana.pk: [item("Grant writing workshop")]}
    daily_ana = member(frequency="daily")
    board.events[daily_ana.pk] = [item("Site visit")]
    for name in ("weekly-digest", "daily-digest", "weekly-digest", "daily-digest"):
        entry = app.conf.beat_schedule[name]
        assert entry["task"] == send_digests.name
        send_digests.apply(kwargs=entry["kwargs"])

    assert len(smtp_sink.to(ana.email)) == 1
    assert len(smtp_sink.to(daily_ana.email)) == 1
    assert set(smtp_sink.message_ids().values()) == {1}


def test_a_member_with_nothing_new_gets_no_digest(smtp_sink, board):
    ana, quiet = member(), member()
    board.news = {ana.email: [item("New funding round")]}

    run = weekly()

    assert (run.recipients, run.queued) == (2, 1)
    assert len(smtp_sink.to(ana.email)) == 1
    assert smtp_sink.to(quiet.email) == []
    assert not OutboxEmail.objects.filter(recipient=quiet.email).exists()


def test_each_member_receives_only_the_items_their_sections_returned(smtp_sink, board):
    ana, ben = member(name="Ana Lopez"), member(name="Ben Okafor")
    board.news = {
        ana.email: [item("Apprenticeship grant", url="/opportunities/11/")],
        ben.email: [item("Solar contract", url="/opportunities/22/")],
    }
    board.events = {ana.pk: [item("Grant writing workshop", url="/events/33/")]}

    weekly()

    [to_ana] = smtp_sink.to(ana.email)
    [to_ben] = smtp_sink.to(ben.email)
    for body in (text_of(to_ana), html_of(to_ana)):
        assert "Apprenticeship grant" in body
        assert "Grant writing workshop" in body
        assert "/opportunities/11/" in body
        assert "/events/33/" in body
        assert "Test news" in body or "TEST NEWS" in body
        assert "Test events" in body or "TEST EVENTS" in body
        assert "Solar contract" not in body
        assert "/opportunities/22/" not in body
    for body in (text_of(to_ben), html_of(to_ben)):
        assert "Solar contract" in body
        assert "/opportunities/22/" in body
        assert "Apprenticeship grant" not in body
        assert "workshop" not in body
        assert "/opportunities/11/" not in body
        assert "/events/33/" not in body
        # A section with nothing for him is not shown, not even as an empty heading.
        assert "Test events" not in body and "TEST EVENTS" not in body
    assert "Hello Ana," in text_of(to_ana)
    assert "Hello Ben," in text_of(to_ben)


def test_each_section_runs_once_for_the_whole_batch_with_the_period(db, board, monkeypatch):
    monkeypatch.setattr(outbox.delivery, "enqueue", lambda ids, countdown=None: None)
    people = [member() for _ in range(3)]
    board.events = {p.pk: [item("Something")] for p in people}

    weekly()

    assert [call[0] for call in board.calls] == ["test-news", "test-events"]
    for _key, pks, period in board.calls:
        assert pks == sorted(p.pk for p in people)
        assert period == Period.last_complete("weekly", IN_WEEK_48)


def test_item_links_are_absolute_and_item_text_is_escaped_only_in_html(smtp_sink, board, settings):
    settings.SITE_URL = "https://portal.example.org"
    ana = member()
    board.news = {
        ana.email: [
            item(
                "Tools & <Tips>",
                url="/opportunities/7/",
                summary="Bring <your> plan",
                meta="Deadline: Dec 1",
            ),
            item("Partner page", url="https://partner.example.com/call"),
        ]
    }

    weekly()

    [message] = smtp_sink.to(ana.email)
    text, html = text_of(message), html_of(message)
    assert "https://portal.example.org/opportunities/7/" in text
    assert 'href="https://portal.example.org/opportunities/7/"' in html
    assert 'href="https://partner.example.com/call"' in html
    assert "Tools & <Tips>" in text
    assert "Bring <your> plan" in text
    assert "Deadline: Dec 1" in text
    assert "Tools &amp; &lt;Tips&gt;" in html
    assert "Bring &lt;your&gt; plan" in html
    assert "<Tips>" not in html and "<your>" not in html


# --- Preferences --------------------------------------------------------------------


def test_a_member_whose_digest_is_off_gets_none(smtp_sink, board):
    off = member(frequency=EmailPreferences.Frequency.OFF)
    board.events = {off.pk: [item("Something new")]}

    assert weekly().recipients == 0
    assert digests.send_digests("daily", now=IN_WEEK_48).recipients == 0
    assert smtp_sink.messages == []


def test_daily_members_get_only_the_daily_run_and_weekly_members_only_the_weekly_run(
    smtp_sink, board
):
    daily = member(frequency=EmailPreferences.Frequency.DAILY)
    week = member(frequency=EmailPreferences.Frequency.WEEKLY)
    board.events = {daily.pk: [item("For the daily reader")], week.pk: [item("For the weekly")]}

    weekly()

    assert smtp_sink.to(daily.email) == []
    assert len(smtp_sink.to(week.email)) == 1

    digests.send_digests("daily", now=IN_WEEK_48)

    assert len(smtp_sink.to(daily.email)) == 1
    assert len(smtp_sink.to(week.email)) == 1
    assert OutboxEmail.objects.get(recipient=daily.email).kind == "digest.daily"
    assert OutboxEmail.objects.get(recipient=daily.email).period == "2026-11-23"
    assert OutboxEmail.objects.get(recipient=week.email).kind == "digest.weekly"
    [to_daily] = smtp_sink.to(daily.email)
    assert to_daily["Subject"] == "What is new in the Circle: November 23"
    [to_week] = smtp_sink.to(week.email)
    assert to_week["Subject"] == "What is new in the Circle: November 16 to November 22"


def test_people_who_never_set_preferences_get_the_weekly_digest(smtp_sink, board):
    newcomer = member()
    board.events = {newcomer.pk: [item("Welcome event")]}
    assert not EmailPreferences.objects.filter(user=newcomer).exists()

    digests.send_digests("daily", now=IN_WEEK_48)
    assert smtp_sink.messages == []

    weekly()
    assert len(smtp_sink.to(newcomer.email)) == 1


def test_a_section_the_member_turned_off_is_left_out(smtp_sink, board):
    ana = member(sections_off=("test-events",))
    board.news = {ana.email: [item("Kept: a new grant")]}
    board.events = {ana.pk: [item("Dropped: a gala")]}

    weekly()

    [message] = smtp_sink.to(ana.email)
    for body in (text_of(message), html_of(message)):
        assert "Kept: a new grant" in body
        assert "Dropped: a gala" not in body
        assert "Test events" not in body and "TEST EVENTS" not in body


def test_a_member_whose_only_section_with_news_is_turned_off_gets_no_email(smtp_sink, board):
    ana = member(sections_off=("test-events",))
    board.events = {ana.pk: [item("A gala she does not want to hear about")]}

    run = weekly()

    assert (run.recipients, run.queued) == (1, 0)
    assert smtp_sink.messages == []


def test_an_inactive_member_gets_no_digest(smtp_sink, board):
    gone = member(is_active=False)
    board.events = {gone.pk: [item("Something new")]}

    assert weekly().recipients == 0
    assert smtp_sink.messages == []


def test_people_outside_the_circle_get_no_digest_but_staff_do(smtp_sink, board):
    from circle.models import Organization
    from tests.factories import StaffFactory
    from tests.factories import UserFactory as PersonFactory

    outsider = PersonFactory()
    former = member()
    former.memberships.update(organization=OrganizationFactory(status="inactive"))
    staff = StaffFactory()
    board.events = {p.pk: [item("Something new")] for p in (outsider, former, staff)}

    assert weekly().recipients == 1
    assert [m["To"] for m in smtp_sink.messages] == [staff.email]
    assert Organization.objects.filter(status="inactive").count() == 1


def test_a_member_whose_address_is_unverified_gets_no_digest(smtp_sink, board):
    unverified = member(verified=False)
    EmailAddress.objects.create(user=unverified, email=unverified.email, verified=False)
    board.events = {unverified.pk: [item("Something new")]}

    assert weekly().recipients == 0
    assert smtp_sink.messages == []


def test_a_member_who_changed_to_an_unverified_address_gets_no_digest(smtp_sink, board):
    mover = member()  # the old address was verified
    mover.email = "new-address@example.org"
    mover.save()
    EmailAddress.objects.create(user=mover, email=mover.email, verified=False)
    board.events = {mover.pk: [item("Something new")]}

    assert weekly().recipients == 0
    assert smtp_sink.messages == []


# --- The email ------------------------------------------------------------------------


def test_the_digest_is_multipart_with_one_click_unsubscribe_and_the_outbox_message_id(
    smtp_sink, board, settings
):
    settings.SITE_URL = "https://portal.example.org"
    ana = member()
    board.news = {ana.email: [item("A new grant")]}

    weekly()

    [message] = smtp_sink.messages
    row = OutboxEmail.objects.get(recipient=ana.email)
    assert message["To"] == ana.email
    assert message["Message-ID"] == row.message_id
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert "A new grant" in text_of(message)
    html = html_of(message)
    assert re.search(r'<html lang="en"', html)
    assert "A new grant" in html
    assert message["Subject"] == "What is new in the Circle: November 16 to November 22"
    unsubscribe = re.fullmatch(
        r"<(https://portal\.example\.org/unsubscribe/[^/>]+/)>", str(message["List-Unsubscribe"])
    )
    assert unsubscribe is not None
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The footer offers the same link and the preferences page.
    assert unsubscribe.group(1) in text_of(message)
    assert f'href="{unsubscribe.group(1)}"' in html
    assert "https://portal.example.org/accounts/preferences/" in text_of(message)


def test_a_member_who_reads_spanish_gets_the_digest_in_spanish(smtp_sink, board):
    ana = member(name="Ana Pérez", language="es")
    register_digest_section(
        DigestSection(
            "test-circle",
            gettext_lazy("Circle"),
            for_members=lambda users, period: {ana.pk: [item("Convocatoria abierta")]},
            order=3,
        )
    )
    try:
        weekly()
    finally:
        unregister_digest_section("test-circle")

    [message] = smtp_sink.to(ana.email)
    assert message["Subject"].startswith("Lo nuevo en el Círculo")
    html, text = html_of(message), text_of(message)
    assert '<html lang="es"' in html
    assert "Hola, Ana:" in text
    # The section title is in her language too.
    assert re.search(r"<h2[^>]*>Círculo</h2>", html)
    assert "CÍRCULO" in text
    assert "Convocatoria abierta" in text


# --- Cost -----------------------------------------------------------------------------


def test_building_digests_takes_as_many_queries_for_30_members_as_for_3(db, board, monkeypatch):
    # Count the build and the queueing only: the send tasks are not enqueued.
    monkeypatch.setattr(outbox.delivery, "enqueue", lambda ids, countdown=None: None)

    def add_members(count: int) -> None:
        for n in range(count):
            # Some with a preferences row, some on the default.
            person = member(sections_off=("retired-section",)) if n % 2 else member()
            board.news[person.email] = [item(f"News for {person.email}")]
            board.events[person.pk] = [item(f"Event for {person.email}")]

    add_members(3)
    with CaptureQueriesContext(connection) as for_three:
        three = weekly(IN_WEEK_48)
    add_members(27)
    with CaptureQueriesContext(connection) as for_thirty:
        thirty = weekly(IN_WEEK_49)

    assert (three.recipients, three.queued) == (3, 3)
    assert (thirty.recipients, thirty.queued) == (30, 30)
    assert len(for_thirty.captured_queries) == len(for_three.captured_queries), [
        q["sql"][:80] for q in for_thirty.captured_queries
    ]


def test_members_beyond_the_first_batch_get_their_digest_too(smtp_sink, board, monkeypatch):
    monkeypatch.setattr(digests, "BATCH", 2)
    people = [member() for _ in range(5)]
    board.events = {p.pk: [item("Something new")] for p in people}

    run = weekly()

    assert (run.recipients, run.queued) == (5, 5)
    for person in people:
        assert len(smtp_sink.to(person.email)) == 1
    # Each section ran once per batch of two.
    assert [len(pks) for key, pks, _ in board.calls if key == "test-events"] == [2, 2, 1]


# --- In the member's language -----------------------------------------------------


def test_each_section_runs_once_per_language_of_the_batch_in_that_language(smtp_sink):
    from django.utils import translation

    seen: list[tuple[str, list[int]]] = []

    def events(users, period):
        seen.append((translation.get_language(), sorted(u.pk for u in users)))
        return {u.pk: [item(str(gettext_lazy("Cancelled")))] for u in users}

    register_digest_section(DigestSection("test-lang", "Test", for_members=events, order=1))
    try:
        english = [member(language="en") for _ in range(2)]
        spanish = [member(language="es") for _ in range(3)]
        weekly()
    finally:
        unregister_digest_section("test-lang")

    assert sorted(seen) == sorted(
        [("en", sorted(p.pk for p in english)), ("es", sorted(p.pk for p in spanish))]
    )
    for person in spanish:
        assert "Cancelada" in text_of(smtp_sink.to(person.email)[0])
    for person in english:
        assert "Cancelled" in text_of(smtp_sink.to(person.email)[0])


def test_a_spanish_members_digest_has_spanish_dates_and_categories(smtp_sink):
    from news.models import NewsPost
    from tests.forums.factories import ForumFactory
    from tests.news.factories import NewsPostFactory

    ana = member(language="es")
    NewsPostFactory(
        title="Transit hearing",
        category=NewsPost.Category.ADVOCACY,
        publish_at=datetime(2026, 11, 18, 10, 0, tzinfo=NY),
    )
    ForumFactory(
        title="December convening",
        starts_at=datetime(2026, 12, 2, 14, 0, tzinfo=NY),
        ends_at=datetime(2026, 12, 2, 16, 0, tzinfo=NY),
    )

    weekly()

    [message] = smtp_sink.to(ana.email)
    text = text_of(message)
    assert "Transit hearing" in text and "December convening" in text
    assert "Incidencia" in text or "Defensa" in text  # the category, in Spanish
    assert "Advocacy" not in text
    assert "diciembre" in text and "December 2" not in text and "Dec." not in text
    assert "p.m." not in text and "a.m." not in text
    assert "a el " not in text and "de el " not in text


def test_a_spanish_members_digest_shows_the_spanish_titles_of_forums_and_research(smtp_sink):
    from tests.forums.factories import ForumFactory
    from tests.research.factories import ResourceFactory

    ana, ben = member(language="es"), member(language="en")
    ForumFactory(
        title="December convening",
        title_es="Encuentro de diciembre",
        starts_at=datetime(2026, 12, 2, 14, 0, tzinfo=NY),
        ends_at=datetime(2026, 12, 2, 16, 0, tzinfo=NY),
    )
    ForumFactory(
        title="Transit listening session",
        starts_at=datetime(2026, 12, 3, 14, 0, tzinfo=NY),
        ends_at=datetime(2026, 12, 3, 16, 0, tzinfo=NY),
    )
    resource = ResourceFactory(title="Jobs report", title_es="Informe de empleos")
    type(resource).objects.filter(pk=resource.pk).update(
        published_at=datetime(2026, 11, 18, 10, 0, tzinfo=NY)
    )

    weekly()

    [spanish] = smtp_sink.to(ana.email)
    text, page = text_of(spanish), html_of(spanish)
    assert "Encuentro de diciembre" in text and "Informe de empleos" in text
    assert "December convening" not in text and "Jobs report" not in text
    # A forum with no Spanish version is there in English, marked as English.
    assert "Transit listening session" in text
    assert re.search(r'lang="en"[^>]*>\s*Transit listening session', page)
    [english] = smtp_sink.to(ben.email)
    assert "December convening" in text_of(english) and "Jobs report" in text_of(english)
    assert "Encuentro de diciembre" not in text_of(english)
