"""Coming to a forum: members answer in one click, guests register and
confirm by email, the waitlist moves up when someone cancels, unconfirmed
places are freed, and a cancelled forum tells everyone."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from circle.models import Membership
from forums import registration
from forums.models import Forum, Registration
from justop.models import OutboxEmail
from tests.factories import MemberFactory, OrganizationFactory, UserFactory, member_of
from tests.forums.factories import ForumFactory, registered
from tests.smtp import html_of, text_of

Status = Registration.Status
LINK = re.compile(r"https?://[^\s\"'<>]*(/forums/registrations/[^/\s\"'<>]+/)")
pytestmark = pytest.mark.django_db


def emails(kind: str, to: str) -> int:
    return OutboxEmail.objects.filter(kind=f"forums.{kind}", recipient=to).count()


def status_of(item: Registration) -> str:
    item.refresh_from_db()
    return item.status


def guest(forum: Forum, email: str) -> Registration:
    return registration.register_guest(
        forum, name=email.split("@")[0].title(), email_address=email, language="en"
    ).registration


def form(email: str, **extra: str) -> dict[str, str]:
    return {"name": "Ana Lima", "email": email, "organization": "", "website": ""} | extra


# --- Members: one click ---------------------------------------------------------------


def test_a_member_rsvps_with_one_click_without_javascript(client):
    forum = ForumFactory(audience=Forum.Audience.MEMBERS, capacity=3)
    member = MemberFactory()
    client.force_login(member)

    response = client.post(reverse("forums:rsvp", args=[forum.slug]), {"going": "yes"})

    assert response.status_code == 302
    assert response["Location"] == forum.get_absolute_url()
    mine = Registration.objects.get(forum=forum, user=member)
    assert mine.status == Status.CONFIRMED
    page = client.get(forum.get_absolute_url()).content.decode()
    assert "You are registered." in page
    assert "2 places left of 3." in page
    # Only now does the page show the online link.
    assert forum.online_url in page
    assert emails("confirmed", member.email) == 1


def test_with_htmx_the_rsvp_block_is_swapped_in_place(client):
    forum = ForumFactory(audience=Forum.Audience.MEMBERS)
    client.force_login(MemberFactory())

    response = client.post(
        reverse("forums:rsvp", args=[forum.slug]), {"going": "yes"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="rsvp"')
    assert "You are registered." in html
    assert "<html" not in html


def test_a_member_says_not_going_then_changes_their_mind(client):
    forum = ForumFactory(audience=Forum.Audience.MEMBERS)
    member = MemberFactory()
    client.force_login(member)
    url = reverse("forums:rsvp", args=[forum.slug])

    client.post(url, {"going": "no"})
    assert Registration.objects.get(forum=forum, user=member).status == Status.DECLINED
    assert registration.places_left(forum) == forum.capacity

    client.post(url, {"going": "yes"})
    client.post(url, {"going": "yes"})  # a double click changes nothing
    assert Registration.objects.filter(forum=forum, user=member).count() == 1
    assert Registration.objects.get(forum=forum, user=member).status == Status.CONFIRMED

    # Giving up a place asks first; only the confirmation gives it up.
    asked = client.post(url, {"going": "no"})
    assert asked.status_code == 200 and "Yes, cancel my place" in asked.content.decode()
    assert Registration.objects.get(forum=forum, user=member).status == Status.CONFIRMED
    client.post(url, {"going": "no", "confirmed": "yes"})
    assert Registration.objects.get(forum=forum, user=member).status == Status.DECLINED
    assert registration.places_left(forum) == forum.capacity


def test_a_member_cannot_rsvp_to_a_forum_they_cannot_see(client):
    invited_only = ForumFactory(audience=Forum.Audience.INVITED)
    client.force_login(MemberFactory())

    response = client.post(reverse("forums:rsvp", args=[invited_only.slug]), {"going": "yes"})

    assert response.status_code == 404
    assert not Registration.objects.exists()


def test_registration_closes_at_the_deadline(client):
    forum = ForumFactory(
        audience=Forum.Audience.MEMBERS, registration_deadline=timezone.now() - timedelta(hours=1)
    )
    client.force_login(MemberFactory())

    response = client.post(reverse("forums:rsvp", args=[forum.slug]), {"going": "yes"})

    assert response.status_code == 302
    assert not Registration.objects.exists()
    assert (
        "Registration for this forum is closed."
        in client.get(response["Location"]).content.decode()
    )


def test_a_member_with_a_guest_registration_under_their_address_keeps_one(client):
    forum = ForumFactory()
    member = MemberFactory(email="ana@example.org")
    held = guest(forum, "ANA@example.org")
    client.force_login(member)

    client.post(reverse("forums:rsvp", args=[forum.slug]), {"going": "yes"})

    assert Registration.objects.filter(forum=forum).count() == 1
    held.refresh_from_db()
    assert held.user == member
    assert held.status == Status.CONFIRMED


# --- Guests: name and email, confirmed by link -------------------------------------------


def test_a_visitor_registers_confirms_by_the_emailed_link_and_cancels(client, smtp_sink):
    forum = ForumFactory(capacity=5)

    response = client.post(reverse("forums:register", args=[forum.slug]), form("ana@example.org"))

    assert response.status_code == 302
    assert response["Location"] == reverse("forums:check_email")
    held = Registration.objects.get(email="ana@example.org")
    assert held.status == Status.HELD
    assert registration.places_left(forum) == 4
    [message] = smtp_sink.to("ana@example.org")
    assert "Confirm your registration" in str(message["Subject"])
    # No online link before the address is confirmed.
    assert forum.online_url not in text_of(message)
    path = LINK.search(text_of(message)).group(1)
    assert path in html_of(message)

    # Opening the link (a mail scanner may) confirms nothing.
    assert "Confirm my registration" in client.get(path).content.decode()
    assert status_of(held) == Status.HELD

    assert client.post(path, {"action": "confirm"}).status_code == 302
    assert status_of(held) == Status.CONFIRMED
    confirmed = [m for m in smtp_sink.to("ana@example.org") if "registered" in str(m["Subject"])]
    [message] = confirmed
    assert forum.online_url in text_of(message)
    [ics] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert "BEGIN:VEVENT" in ics.get_content()

    assert client.post(path, {"action": "cancel"}).status_code == 302
    assert status_of(held) == Status.CONFIRMED  # asked to confirm first
    assert client.post(path, {"action": "cancel", "confirmed": "yes"}).status_code == 302
    assert status_of(held) == Status.CANCELLED
    assert registration.places_left(forum) == 5
    assert any("cancelled" in str(m["Subject"]) for m in smtp_sink.to("ana@example.org"))


def test_registering_twice_with_one_address_keeps_one_and_says_nothing_on_the_page(client):
    forum = ForumFactory()
    url = reverse("forums:register", args=[forum.slug])

    first = client.post(url, form("ana@example.org"))
    second = client.post(url, form("Ana@Example.org", name="Someone Else"))

    assert first["Location"] == second["Location"] == reverse("forums:check_email")
    assert Registration.objects.filter(forum=forum).count() == 1
    # The owner of the address gets their link again instead.
    assert emails("link", "ana@example.org") == 1


def test_guests_cannot_register_for_a_members_forum(client):
    forum = ForumFactory(audience=Forum.Audience.MEMBERS)
    client.force_login(MemberFactory())

    assert client.get(reverse("forums:register", args=[forum.slug])).status_code == 404
    assert (
        client.post(
            reverse("forums:register", args=[forum.slug]), form("a@example.org")
        ).status_code
        == 404
    )


def test_the_honeypot_and_the_rate_limit_stop_scripts(client, settings, monkeypatch):
    from forums.views import registration as views_registration
    from justop import ratelimit

    forum = ForumFactory()
    url = reverse("forums:register", args=[forum.slug])

    client.post(url, form("bot@example.org", website="http://spam.example"))
    assert not Registration.objects.exists()

    limit = ratelimit.Limit("forum-t", 2, 3600)
    register = dataclasses.replace(views_registration.REGISTER, per_address=limit)
    monkeypatch.setattr(views_registration, "REGISTER", register)
    client.post(url, form("one@example.org"))
    client.post(url, form("two@example.org"))
    third = client.post(url, form("three@example.org"))
    assert third.status_code == 429
    assert Registration.objects.filter(forum=forum).count() == 2


def test_a_link_with_a_forged_token_is_not_found(client):
    assert client.get(reverse("forums:registration", args=["forged"])).status_code == 404


# --- The waitlist -------------------------------------------------------------------------------


def test_when_full_people_wait_in_order_and_a_cancellation_promotes_the_first():
    forum = ForumFactory(capacity=2)
    first = registration.rsvp(forum, MemberFactory(), going=True)
    registration.rsvp(forum, MemberFactory(), going=True)
    waiting = [registration.rsvp(forum, MemberFactory(), going=True) for _ in range(3)]
    assert [w.status for w in waiting] == [Status.WAITLISTED] * 3
    assert emails("waitlisted", waiting[0].email) == 1

    registration.cancel(first)

    assert status_of(waiting[0]) == Status.CONFIRMED
    assert [status_of(w) for w in waiting[1:]] == [Status.WAITLISTED] * 2
    assert emails("promoted", waiting[0].email) == 1
    assert registration.places_taken(forum) == 2


def test_an_unconfirmed_guest_on_the_waitlist_is_skipped_until_they_confirm():
    forum = ForumFactory(capacity=1)
    holder = registration.rsvp(forum, MemberFactory(), going=True)
    unconfirmed = guest(forum, "slow@example.org")
    member = registration.rsvp(forum, MemberFactory(), going=True)

    registration.cancel(holder)

    assert status_of(member) == Status.CONFIRMED
    assert status_of(unconfirmed) == Status.WAITLISTED


def test_people_on_the_waitlist_can_leave_it():
    forum = ForumFactory(capacity=1)
    registration.rsvp(forum, MemberFactory(), going=True)
    waiting = registration.rsvp(forum, MemberFactory(), going=True)

    registration.cancel(waiting)

    assert status_of(waiting) == Status.CANCELLED
    assert registration.places_taken(forum) == 1


def test_more_places_move_the_waitlist_up():
    forum = ForumFactory(capacity=1)
    registration.rsvp(forum, MemberFactory(), going=True)
    waiting = registration.rsvp(forum, MemberFactory(), going=True)

    forum.capacity = 2
    forum.save()
    registration.promote(forum)

    assert status_of(waiting) == Status.CONFIRMED


def test_an_unconfirmed_guest_place_expires_after_a_day_and_goes_to_the_next():
    forum = ForumFactory(capacity=1)
    held = guest(forum, "typo@example.org")
    waiting = registration.rsvp(forum, MemberFactory(), going=True)
    assert waiting.status == Status.WAITLISTED

    assert registration.expire_unconfirmed(timezone.now() + timedelta(hours=23)) == 0
    assert status_of(held) == Status.HELD

    assert registration.expire_unconfirmed(timezone.now() + timedelta(hours=25)) == 1
    assert status_of(held) == Status.EXPIRED
    assert status_of(waiting) == Status.CONFIRMED


def test_an_unconfirmed_place_expires_at_the_start_if_sooner():
    forum = ForumFactory(capacity=5, starts_at=timezone.now() + timedelta(hours=3))
    held = guest(forum, "late@example.org")

    assert registration.expire_unconfirmed(forum.starts_at + timedelta(minutes=1)) == 1
    assert status_of(held) == Status.EXPIRED


# --- A cancelled forum -----------------------------------------------------------------------


def test_cancelling_a_forum_tells_everyone_registered_once():
    forum = ForumFactory(capacity=1)
    a = registration.rsvp(forum, MemberFactory(), going=True)
    b = registration.rsvp(forum, MemberFactory(), going=True)
    gone = registration.rsvp(forum, MemberFactory(), going=False)

    assert registration.cancel_forum(forum) == 2
    assert registration.cancel_forum(forum) == 0

    forum.refresh_from_db()
    assert forum.status == Forum.Status.CANCELLED
    assert emails("forum_cancelled", a.email) == 1
    assert emails("forum_cancelled", b.email) == 1
    assert emails("forum_cancelled", gone.email) == 0


def test_my_forums_lists_a_persons_registrations(client):
    organization = OrganizationFactory()
    member = member_of(organization, Membership.Role.MEMBER)
    forum = ForumFactory(title="Transit and jobs")
    registered(forum, member)
    other = ForumFactory(title="Somebody else's forum")
    registered(other, UserFactory())
    client.force_login(member)

    page = client.get(reverse("forums:mine")).content.decode()

    assert "Transit and jobs" in page
    assert "Somebody else" not in page


def test_giving_up_a_place_asks_first_in_place_and_says_the_waitlist_takes_it(client):
    forum = ForumFactory(audience=Forum.Audience.MEMBERS, capacity=1)
    member, waiting = MemberFactory(), MemberFactory()
    registration.rsvp(forum, member, going=True)
    registration.rsvp(forum, waiting, going=True)
    client.force_login(member)
    url = reverse("forums:rsvp", args=[forum.slug])

    asked = client.post(url, {"going": "no"}, headers={"HX-Request": "true"})

    fragment = asked.content.decode()
    assert asked.status_code == 200 and "<html" not in fragment  # swapped in place
    assert "Your place will go to the next person on the waitlist." in fragment
    assert Registration.objects.get(forum=forum, user=waiting).status == Status.WAITLISTED
    client.post(url, {"going": "no", "confirmed": "yes"}, headers={"HX-Request": "true"})
    assert Registration.objects.get(forum=forum, user=waiting).status == Status.CONFIRMED


def test_after_cancelling_in_place_the_online_link_goes_too(client):
    forum = ForumFactory(audience=Forum.Audience.MEMBERS, online_url="https://meet.example.org/joc")
    member = MemberFactory()
    registration.rsvp(forum, member, going=True)
    client.force_login(member)
    assert "https://meet.example.org/joc" in client.get(forum.get_absolute_url()).content.decode()
    url = reverse("forums:rsvp", args=[forum.slug])

    done = client.post(url, {"going": "no", "confirmed": "yes"}, headers={"HX-Request": "true"})

    swapped = done.content.decode()
    assert 'id="forum-online" data-hx-swap-oob="true"' in swapped
    assert "https://meet.example.org/joc" not in swapped
    assert "Online: the link is sent to people registered." in swapped
    again = client.post(url, {"going": "yes"}, headers={"HX-Request": "true"}).content.decode()
    assert "https://meet.example.org/joc" in again
