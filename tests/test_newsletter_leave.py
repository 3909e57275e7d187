"""Leaving the newsletter from its page: whoever types an address there only
gets a link emailed to it; the mailbox decides. The one-click link of every
issue (RFC 8058) still unsubscribes in one request."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from justop import outbox
from justop.models import OutboxEmail, Suppression
from news import newsletter
from news.models import Subscriber

pytestmark = pytest.mark.django_db

PAGE = "news:newsletter_unsubscribe"
# What differs between two answers to anyone: the nonce and the CSRF token.
_PER_RESPONSE = re.compile(r'nonce="[^"]+"|(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])')


def subscribed(email: str, language: str = "en") -> Subscriber:
    return Subscriber.objects.create(
        email=email, language=language, status="confirmed", confirmed_at=timezone.now()
    )


def ask_for_link(email: str) -> str:
    """Post the page's form as a stranger would, and return the page they land on."""
    client = Client()
    response = client.post(reverse(PAGE), {"email": email}, follow=True)
    assert response.status_code == 200
    return _PER_RESPONSE.sub("", response.content.decode()).replace(email, "ADDRESS")


def leave_links() -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(kind="news.newsletter_leave"))


def test_a_stranger_typing_someones_address_does_not_take_them_off():
    subscribed("ana@example.org")

    ask_for_link("ana@example.org")

    assert Subscriber.objects.get(email="ana@example.org").status == "confirmed"
    assert not Suppression.objects.filter(email="ana@example.org").exists()
    (email,) = leave_links()
    assert email.recipient == "ana@example.org"
    assert email.context["url"] == outbox.unsubscribe_url("ana@example.org", newsletter.STREAM)


def test_the_answer_is_the_same_whatever_the_address():
    subscribed("ana@example.org")
    Subscriber.objects.create(email="left@example.org", status="unsubscribed")

    answers = {ask_for_link(e) for e in ("ana@example.org", "who@example.org", "left@example.org")}

    assert len(answers) == 1
    assert [e.recipient for e in leave_links()] == ["ana@example.org"]


def test_asking_again_within_the_hour_sends_one_link():
    subscribed("ana@example.org")
    for _ in range(3):
        ask_for_link("ana@example.org")
    assert len(leave_links()) == 1

    later = timezone.now() + timedelta(seconds=newsletter.LEAVE_LINK_EVERY)
    assert newsletter.send_leave_link("ana@example.org", now=later)
    assert len(leave_links()) == 2


def test_the_link_shows_a_button_and_the_button_takes_the_address_off():
    subscribed("ana@example.org")
    ask_for_link("ana@example.org")
    (email,) = leave_links()
    path = email.context["url"].split("://", 1)[1].split("/", 1)[1]

    shown = Client().get("/" + path)  # a mail scanner opening the link
    assert shown.status_code == 200
    assert Subscriber.objects.get(email="ana@example.org").status == "confirmed"

    done = Client().post("/" + path)
    assert done.status_code == 200
    assert Subscriber.objects.get(email="ana@example.org").status == "unsubscribed"


def test_the_one_click_header_link_still_takes_one_request():
    subscribed("ana@example.org")
    url = outbox.unsubscribe_url("ana@example.org", newsletter.STREAM)
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]

    response = Client().post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert Subscriber.objects.get(email="ana@example.org").status == "unsubscribed"


def test_no_link_goes_to_a_suppressed_address():
    subscribed("ana@example.org")
    outbox.unsubscribe("ana@example.org", newsletter.STREAM, source="one-click")

    ask_for_link("ana@example.org")

    assert leave_links() == []


def test_the_link_is_removed_from_the_stored_email_once_sent():
    from justop import redaction

    subscribed("ana@example.org")
    ask_for_link("ana@example.org")
    (email,) = leave_links()

    kept = redaction.redacted_row_fields(email)

    link = outbox.unsubscribe_url("ana@example.org", newsletter.STREAM)
    assert "context" in kept
    assert link not in str(kept["context"])
