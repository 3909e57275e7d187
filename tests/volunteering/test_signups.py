"""Volunteering: people sign up for shifts without an account, confirm by
email, cancel, wait on a waitlist and are promoted; staff export rosters."""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from justop import outbox
from justop.models import OutboxEmail
from tests.smtp import html_of, text_of
from volunteering import services as volunteering
from volunteering.models import Opportunity, Shift, Signup

Status = Signup.Status
LINK = re.compile(r"https?://[^\s\"'<>]*(/volunteer/sign-ups/[^/\s\"'<>]+/)")


# --- Helpers ------------------------------------------------------------------------


def make_opportunity(slug: str = "food-bank", **kwargs) -> Opportunity:
    defaults = {
        "title": f"Food bank {slug}",
        "summary": "Sort food for neighbours.",
        "description": "Sorting and packing.",
        "location": "Atlanta Community Food Bank",
        "contact_email": "volunteer@example.org",
        "status": Opportunity.Status.PUBLISHED,
    }
    defaults.update(kwargs)
    return Opportunity.objects.create(slug=slug, **defaults)


def make_shift(
    opportunity: Opportunity, capacity: int = 5, starts_in: timedelta = timedelta(days=3)
) -> Shift:
    starts = timezone.now() + starts_in
    return Shift.objects.create(
        opportunity=opportunity,
        role="Sorting",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=capacity,
    )


def add(shift: Shift, email: str, party_size: int = 1, name: str = "") -> Signup:
    """A sign-up made the way the form makes it."""
    outcome = volunteering.sign_up(
        shift,
        name=name or email.split("@")[0].title(),
        email=email,
        phone="",
        party_size=party_size,
        language="en",
    )
    assert outcome.signup is not None
    return outcome.signup


def confirmed(shift: Shift, email: str, party_size: int = 1) -> Signup:
    signup = add(shift, email, party_size)
    return volunteering.confirm(signup)


def form(email: str, party_size: int = 1, **extra) -> dict:
    data = {
        "name": "Ana Lima",
        "email": email,
        "phone": "404-555-0100",
        "party_size": party_size,
        "website": "",
    }
    data.update(extra)
    return data


def sign_up_url(shift: Shift) -> str:
    return reverse("volunteer:sign_up", args=[shift.opportunity.slug, shift.pk])


def emails_of(kind: str, to: str) -> int:
    return OutboxEmail.objects.filter(kind=f"news.signup_{kind}", recipient=to).count()


def status_of(signup: Signup) -> str:
    signup.refresh_from_db()
    return signup.status


def page_of(client, url: str) -> str:
    """The page without the tokens that change on every response."""
    html = client.get(url).content.decode()
    # Masked CSRF tokens (64 characters) and nonces differ on every response.
    html = re.sub(r"\b[A-Za-z0-9]{64}\b", "<csrf>", html)
    return re.sub(r'nonce="[^"]*"', "", html)


def link_in(message) -> str:
    found = LINK.search(text_of(message))
    assert found, text_of(message)
    return found.group(1)


@pytest.fixture
def shift(db) -> Shift:
    return make_shift(make_opportunity(), capacity=5)


# --- The whole journey, through a real SMTP server ------------------------------------


def test_a_visitor_signs_up_confirms_by_the_emailed_link_and_cancels(client, smtp_sink):
    shift = make_shift(make_opportunity(), capacity=5)

    response = client.post(sign_up_url(shift), form("ana@example.org", party_size=2))

    assert response.status_code == 302
    assert response["Location"] == reverse("volunteer:check_email")
    assert client.get(response["Location"]).status_code == 200
    signup = Signup.objects.get(email="ana@example.org")
    assert signup.status == Status.HELD
    assert signup.party_size == 2
    assert signup.phone == "404-555-0100"

    [message] = smtp_sink.to("ana@example.org")
    assert "Confirm your sign-up" in str(message["Subject"])
    path = link_in(message)
    assert volunteering.from_token(path.split("/")[-2]) == signup
    assert path in html_of(message)

    # Opening the link (a mail scanner may) confirms nothing.
    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm my sign-up" in page.content.decode()
    assert status_of(signup) == Status.HELD

    assert client.post(path, {"action": "confirm"}).status_code == 302
    assert status_of(signup) == Status.CONFIRMED
    assert signup.confirmed_at is not None
    subjects = [str(m["Subject"]) for m in smtp_sink.to("ana@example.org")]
    assert any("You are signed up" in s for s in subjects)

    assert client.post(path, {"action": "cancel"}).status_code == 302
    assert status_of(signup) == Status.CONFIRMED  # asked to confirm first
    assert client.post(path, {"action": "cancel", "confirmed": "yes"}).status_code == 302
    assert status_of(signup) == Status.CANCELLED
    assert signup.cancelled_at is not None
    assert volunteering.places_taken(shift) == 0
    subjects = [str(m["Subject"]) for m in smtp_sink.to("ana@example.org")]
    assert any("cancelled" in s for s in subjects)


# --- Capacity and the waitlist ------------------------------------------------------


def test_capacity_counts_every_person_in_a_party_and_the_next_person_is_waitlisted(client, shift):
    assert add(shift, "three@example.org", party_size=3).status == Status.HELD
    assert add(shift, "two@example.org", party_size=2).status == Status.HELD
    assert volunteering.places_taken(shift) == 5

    late = add(shift, "late@example.org", party_size=1)

    assert late.status == Status.WAITLISTED
    page = client.get(shift.opportunity.get_absolute_url()).content.decode()
    assert "Full: waitlist" in page
    assert "Join the waitlist" in page
    form_page = client.get(sign_up_url(shift)).content.decode()
    assert "This shift is full" in form_page


def test_places_left_are_shown_counting_parties(client, shift):
    add(shift, "three@example.org", party_size=3)
    response = client.get(shift.opportunity.get_absolute_url())
    html = response.content.decode()
    assert re.search(r'<td class="numeric"[^>]*>2</td>', html)
    assert "Full: waitlist" not in html


def test_a_cancellation_promotes_the_first_confirmed_waitlisted_person_and_emails_them(shift):
    first = confirmed(shift, "first@example.org", party_size=5)
    unconfirmed = add(shift, "unconfirmed@example.org", party_size=1)
    waiting = confirmed(shift, "waiting@example.org", party_size=2)
    behind = confirmed(shift, "behind@example.org", party_size=1)
    assert unconfirmed.status == waiting.status == behind.status == Status.WAITLISTED

    volunteering.cancel(first)

    # Confirmed people, in order; the unconfirmed one keeps waiting.
    assert status_of(unconfirmed) == Status.WAITLISTED
    assert status_of(waiting) == Status.CONFIRMED
    assert status_of(behind) == Status.CONFIRMED
    assert emails_of("promoted", "waiting@example.org") == 1
    assert emails_of("promoted", "behind@example.org") == 1
    assert emails_of("promoted", "unconfirmed@example.org") == 0
    assert volunteering.places_taken(shift) == 3


def test_promotion_is_in_order_and_stops_when_the_places_are_taken(shift):
    first = confirmed(shift, "first@example.org", party_size=2)
    confirmed(shift, "rest@example.org", party_size=3)
    one = confirmed(shift, "one@example.org", party_size=2)
    two = confirmed(shift, "two@example.org", party_size=2)

    volunteering.cancel(first)

    assert status_of(one) == Status.CONFIRMED
    assert status_of(two) == Status.WAITLISTED
    assert emails_of("promoted", "two@example.org") == 0


def test_a_party_too_big_for_the_freed_places_waits_and_a_smaller_party_behind_it_goes_first(
    shift,
):
    leaving = confirmed(shift, "leaving@example.org", party_size=2)
    confirmed(shift, "staying@example.org", party_size=3)
    big = confirmed(shift, "big@example.org", party_size=3)
    small = confirmed(shift, "small@example.org", party_size=2)

    volunteering.cancel(leaving)

    assert status_of(big) == Status.WAITLISTED
    assert status_of(small) == Status.CONFIRMED
    assert emails_of("promoted", "small@example.org") == 1
    assert emails_of("promoted", "big@example.org") == 0


def test_a_waitlisted_person_who_confirms_after_places_freed_is_promoted(shift):
    leaving = confirmed(shift, "leaving@example.org", party_size=5)
    waiting = add(shift, "waiting@example.org", party_size=2)
    volunteering.cancel(leaving)
    assert status_of(waiting) == Status.WAITLISTED  # not confirmed yet

    volunteering.confirm(waiting)

    assert status_of(waiting) == Status.CONFIRMED
    assert emails_of("promoted", "waiting@example.org") == 1


# --- Expiry ---------------------------------------------------------------------------


def test_a_held_sign_up_not_confirmed_within_24_hours_expires_and_frees_its_places(shift):
    held = add(shift, "held@example.org", party_size=5)
    kept = confirmed(shift, "kept@example.org", party_size=2)
    assert kept.status == Status.WAITLISTED

    assert volunteering.expire_unconfirmed(now=timezone.now() + timedelta(hours=23)) == 0
    assert status_of(held) == Status.HELD

    assert volunteering.expire_unconfirmed(now=timezone.now() + timedelta(hours=25)) == 1

    assert status_of(held) == Status.EXPIRED
    assert status_of(kept) == Status.CONFIRMED
    assert emails_of("promoted", "kept@example.org") == 1
    assert volunteering.places_taken(shift) == 2


def test_a_confirmed_sign_up_never_expires(shift):
    kept = confirmed(shift, "kept@example.org", party_size=2)
    volunteering.expire_unconfirmed(now=timezone.now() + timedelta(days=30))
    assert status_of(kept) == Status.CONFIRMED


# --- One active sign-up per address and shift ---------------------------------------


def test_signing_up_twice_with_one_email_answers_alike_keeps_one_row_and_emails_the_link(
    client, smtp_sink
):
    shift = make_shift(make_opportunity(), capacity=5)
    first = client.post(sign_up_url(shift), form("ana@example.org"))
    second = client.post(sign_up_url(shift), form("ANA@example.org ", party_size=3))

    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    assert page_of(client, first["Location"]) == page_of(client, second["Location"])
    [signup] = Signup.objects.filter(email="ana@example.org")
    assert signup.party_size == 1
    messages = smtp_sink.to("ana@example.org")
    assert len(messages) == 2
    reminder = messages[1]
    assert "Your sign-up" in str(reminder["Subject"])
    assert "already signed up" in text_of(reminder)
    assert volunteering.from_token(link_in(reminder).split("/")[-2]) == signup


def test_after_cancelling_the_same_email_may_sign_up_again(shift):
    first = add(shift, "ana@example.org", party_size=2)
    volunteering.cancel(first)

    again = volunteering.sign_up(
        shift, name="Ana", email="ana@example.org", phone="", party_size=1, language="en"
    )

    assert not again.already
    assert again.signup.pk != first.pk
    assert again.signup.status == Status.HELD
    assert Signup.objects.filter(email="ana@example.org").count() == 2


# --- Concurrency (PostgreSQL) ----------------------------------------------------------


def _race(shift: Shift, parties: list[int], monkeypatch) -> list[BaseException]:
    # Emails stay queued in the outbox; nothing to send during the race.
    monkeypatch.setattr(outbox.delivery, "enqueue", lambda ids, countdown=None: None)
    barrier = threading.Barrier(len(parties))
    errors: list[BaseException] = []

    def one(i: int, party: int) -> None:
        try:
            barrier.wait(timeout=30)
            volunteering.sign_up(
                shift,
                name=f"Person {i}",
                email=f"p{i}@example.org",
                phone="",
                party_size=party,
                language="en",
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i, p)) for i, p in enumerate(parties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_five_people_signing_up_at_once_never_take_more_than_the_places(monkeypatch):
    shift = make_shift(make_opportunity(), capacity=10)

    errors = _race(shift, [1] * 25, monkeypatch)

    assert errors == []
    signups = Signup.objects.filter(shift=shift)
    assert signups.count() == 25
    assert volunteering.places_taken(shift) == 10
    assert signups.filter(status=Status.HELD).count() == 10
    assert signups.filter(status=Status.WAITLISTED).count() == 15


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parties_of_one_to_three_signing_up_at_once_never_exceed_the_places(monkeypatch):
    shift = make_shift(make_opportunity(), capacity=10)
    parties = [1 + i % 3 for i in range(25)]

    errors = _race(shift, parties, monkeypatch)

    assert errors == []
    signups = list(Signup.objects.filter(shift=shift))
    assert len(signups) == 25
    holding = sum(s.party_size for s in signups if s.status in Signup.HOLDING)
    assert holding <= 10
    assert {s.status for s in signups} <= {Status.HELD, Status.WAITLISTED}
    # Each waitlisted party was refused because it did not fit when it came;
    # with parties of one among them, the places end up (almost) full.
    smallest_waiting = min(
        (s.party_size for s in signups if s.status == Status.WAITLISTED), default=0
    )
    assert holding + smallest_waiting > 10


# --- Reminders -------------------------------------------------------------------------


def test_reminders_go_once_to_each_confirmed_person_of_shifts_starting_within_a_day(db):
    opportunity = make_opportunity()
    soon = make_shift(opportunity, capacity=2, starts_in=timedelta(hours=20))
    later = make_shift(opportunity, capacity=2, starts_in=timedelta(hours=30))
    coming = confirmed(soon, "coming@example.org")
    confirmed(soon, "also@example.org")
    waitlisted = confirmed(soon, "waiting@example.org")
    assert waitlisted.status == Status.WAITLISTED
    gone = confirmed(later, "gone@example.org")
    volunteering.cancel(gone)
    far = confirmed(later, "far@example.org")
    unconfirmed = add(later, "unconfirmed@example.org")

    now = timezone.now()
    assert volunteering.send_reminders(now) == 2
    assert volunteering.send_reminders(now) == 0

    assert emails_of("reminder", "coming@example.org") == 1
    assert emails_of("reminder", "also@example.org") == 1
    for other in (waitlisted, gone, far, unconfirmed):
        assert emails_of("reminder", other.email) == 0
    coming.refresh_from_db()
    assert coming.reminded_at == now


def test_a_cancelled_person_gets_no_reminder(db):
    shift = make_shift(make_opportunity(), capacity=2, starts_in=timedelta(hours=5))
    gone = confirmed(shift, "gone@example.org")
    volunteering.cancel(gone)
    assert volunteering.send_reminders() == 0
    assert emails_of("reminder", "gone@example.org") == 0


def test_the_reminder_email_arrives_once(smtp_sink):
    shift = make_shift(make_opportunity(), capacity=2, starts_in=timedelta(hours=5))
    confirmed(shift, "ana@example.org")
    volunteering.send_reminders()
    volunteering.send_reminders()
    reminders = [m for m in smtp_sink.to("ana@example.org") if "Tomorrow" in str(m["Subject"])]
    assert len(reminders) == 1


# --- Spam and abuse --------------------------------------------------------------------


def test_a_filled_honeypot_stores_nothing_but_answers_like_a_sign_up(client, shift):
    response = client.post(sign_up_url(shift), form("bot@example.org", website="http://spam"))

    assert response.status_code == 302
    assert response["Location"] == reverse("volunteer:check_email")
    assert not Signup.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_more_than_twenty_posts_from_one_address_in_an_hour_answer_429_keeping_the_answers(
    client, db
):
    opportunity = make_opportunity()
    shift = make_shift(opportunity, capacity=50)
    for i in range(20):
        response = client.post(sign_up_url(shift), form(f"p{i}@example.org"))
        assert response.status_code == 302, i

    response = client.post(
        sign_up_url(shift), form("late@example.org", name="Late Comer", phone="404-555-0199")
    )

    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many sign-ups" in html
    assert 'value="late@example.org"' in html
    assert 'value="Late Comer"' in html
    assert 'value="404-555-0199"' in html
    assert not Signup.objects.filter(email="late@example.org").exists()
    # Another address is not affected.
    other = client.post(sign_up_url(shift), form("else@example.org"), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_more_than_five_sign_ups_with_one_email_in_an_hour_answer_429(client, db):
    opportunity = make_opportunity()
    shifts = [make_shift(opportunity, capacity=5) for _ in range(6)]
    for i, shift in enumerate(shifts[:5]):
        response = client.post(
            sign_up_url(shift), form("ana@example.org"), REMOTE_ADDR=f"10.0.0.{i + 1}"
        )
        assert response.status_code == 302, i

    response = client.post(sign_up_url(shifts[5]), form("Ana@Example.org"), REMOTE_ADDR="10.0.1.1")

    assert response.status_code == 429
    assert 'value="Ana@Example.org"' in response.content.decode()
    assert not Signup.objects.filter(shift=shifts[5]).exists()


# --- Privacy ---------------------------------------------------------------------------


def test_the_opportunity_page_and_the_form_never_show_other_peoples_names_or_emails(client, shift):
    add(shift, "secret.person@example.org", name="Zebulon Secretname")
    confirmed(shift, "other.one@example.org", party_size=4)
    for url in (shift.opportunity.get_absolute_url(), sign_up_url(shift)):
        html = client.get(url).content.decode()
        assert "Zebulon" not in html
        assert "Secretname" not in html
        assert "secret.person" not in html
        assert "other.one" not in html
    listing = client.get(reverse("volunteer:list")).content.decode()
    assert "Zebulon" not in listing
    assert "secret.person" not in listing


def test_a_tampered_link_answers_404(client, shift):
    signup = add(shift, "ana@example.org")
    good = volunteering.token(signup)
    assert client.get(reverse("volunteer:signup", args=[good])).status_code == 200

    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    assert client.get(reverse("volunteer:signup", args=[tampered])).status_code == 404
    assert (
        client.post(reverse("volunteer:signup", args=[tampered]), {"action": "cancel"}).status_code
        == 404
    )
    assert client.get(reverse("volunteer:signup", args=["nonsense"])).status_code == 404
    assert status_of(signup) == Status.HELD


def test_a_link_for_an_address_that_no_longer_matches_answers_404(client, shift):
    signup = add(shift, "ana@example.org")
    link = reverse("volunteer:signup", args=[volunteering.token(signup)])
    Signup.objects.filter(pk=signup.pk).update(email="someone.else@example.org")
    assert client.get(link).status_code == 404


def test_the_sign_up_page_is_not_cached(client, shift):
    signup = add(shift, "ana@example.org")
    response = client.get(reverse("volunteer:signup", args=[volunteering.token(signup)]))
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


# --- Drafts and past shifts --------------------------------------------------------------


def test_an_unpublished_opportunity_answers_404_on_its_page_and_its_sign_up_form(client, db):
    draft = make_opportunity("draft", status=Opportunity.Status.DRAFT)
    shift = make_shift(draft)

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(sign_up_url(shift)).status_code == 404
    assert client.post(sign_up_url(shift), form("ana@example.org")).status_code == 404
    assert not Signup.objects.exists()
    assert draft.title not in client.get(reverse("volunteer:list")).content.decode()


def test_a_shift_in_the_past_cannot_be_signed_up_for(client, db):
    past = make_shift(make_opportunity(), starts_in=-timedelta(hours=1))

    assert client.get(sign_up_url(past)).status_code == 404
    assert client.post(sign_up_url(past), form("ana@example.org")).status_code == 404
    assert not Signup.objects.exists()
    assert "No upcoming shift" in client.get(past.opportunity.get_absolute_url()).content.decode()


def test_a_shift_of_another_opportunity_cannot_be_signed_up_for_under_this_one(client, db):
    shift = make_shift(make_opportunity("one"))
    other = make_opportunity("two")
    url = reverse("volunteer:sign_up", args=[other.slug, shift.pk])
    assert client.get(url).status_code == 404


# --- Admin -------------------------------------------------------------------------------


def test_staff_export_the_roster_of_a_shift_as_csv_with_active_sign_ups_only(staff_client, shift):
    confirmed(shift, "first@example.org", party_size=2)
    add(shift, "formula@example.org", name='=HYPERLINK("http://evil")')
    gone = add(shift, "gone@example.org")
    volunteering.cancel(gone)
    add(shift, "waiting@example.org", party_size=5)
    other_shift = make_shift(shift.opportunity)
    add(other_shift, "elsewhere@example.org")

    response = staff_client.post(
        reverse("admin:volunteering_shift_changelist"),
        {"action": "export_roster", ACTION_CHECKBOX_NAME: [shift.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_email = {row["email"]: row for row in rows}
    assert set(by_email) == {"first@example.org", "formula@example.org", "waiting@example.org"}
    assert by_email["first@example.org"]["status"] == "confirmed"
    assert by_email["first@example.org"]["people"] == "2"
    assert by_email["waiting@example.org"]["status"] == "waitlisted"
    assert by_email["formula@example.org"]["name"] == '\'=HYPERLINK("http://evil")'


def test_the_roster_export_is_for_staff_only(client, shift):
    response = client.post(
        reverse("admin:volunteering_shift_changelist"),
        {"action": "export_roster", ACTION_CHECKBOX_NAME: [shift.pk]},
    )
    assert response.status_code == 302
    assert "text/csv" not in response.get("Content-Type", "")


def test_the_mark_attended_action_sets_attended(staff_client, shift):
    came = confirmed(shift, "came@example.org")
    absent = confirmed(shift, "absent@example.org")

    response = staff_client.post(
        reverse("admin:volunteering_signup_changelist"),
        {"action": "mark_attended", ACTION_CHECKBOX_NAME: [came.pk]},
        follow=True,
    )

    assert response.status_code == 200
    came.refresh_from_db()
    absent.refresh_from_db()
    assert came.attended is True
    assert absent.attended is None


# --- Queries ---------------------------------------------------------------------------


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("volunteer:list"))
    assert response.status_code == 200
    return len(queries)


def test_the_opportunity_list_makes_the_same_number_of_queries_whatever_the_number(
    client, db, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # the page as built, not as the page cache serves it

    def opportunities(start: int, count: int) -> None:
        for i in range(start, start + count):
            opportunity = make_opportunity(f"opportunity-{i}")
            for _ in range(3):
                shift = make_shift(opportunity, capacity=4)
                add(shift, f"p{i}-{shift.pk}@example.org")

    opportunities(0, 2)
    _list_queries(client)  # warm up sessions, caches
    with_two = _list_queries(client)

    opportunities(2, 10)
    with_twelve = _list_queries(client)

    assert Opportunity.objects.count() == 12
    assert with_two == with_twelve
    html = client.get(reverse("volunteer:list")).content.decode()
    assert html.count("3 upcoming shifts") == 12


def test_a_party_larger_than_the_whole_shift_is_refused_clearly(client, db):
    opportunity = Opportunity.objects.create(
        title="Small", slug="small", summary="s", description="d", status="published"
    )
    shift = Shift.objects.create(
        opportunity=opportunity,
        role="Helper",
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=2),
        capacity=3,
    )
    response = client.post(
        reverse("volunteer:sign_up", args=["small", shift.pk]),
        {"name": "Ana", "email": "ana@example.org", "party_size": 4},
    )
    assert response.status_code == 200
    assert "This shift has 3 places in all" in response.content.decode()
    assert 'value="ana@example.org"' in response.content.decode()
    assert not Signup.objects.exists()
