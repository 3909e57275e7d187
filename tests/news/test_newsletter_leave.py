"""Leaving the newsletter from its page: whoever types an address there only
gets a link emailed to it, and the mailbox decides. The one-click link of
every issue (RFC 8058) still unsubscribes in one request.

These tests commit for real (smtp_sink): the page hands the address to a
task when its transaction commits, and the outbox sends what a committed
transaction queued."""

from __future__ import annotations

import re
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from justop import outbox
from justop.models import OutboxEmail, Suppression
from justop.redaction import MARKER
from news import newsletter, tasks
from news.models import Subscriber
from tests.smtp import html_of, text_of

PAGE = "news:newsletter_unsubscribe"
KIND = "news.newsletter_leave"
# What differs between two answers to anyone: the CSP nonce and the CSRF token.
_PER_RESPONSE = re.compile(r'nonce="[^"]+"|(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])')


def subscribed(email: str, language: str = "en") -> Subscriber:
    return Subscriber.objects.create(
        email=email, language=language, status="confirmed", confirmed_at=timezone.now()
    )


def ask_for_link(email: str, **extra: str) -> str:
    """Post the page's form as a stranger would (no cookie, no session), and
    return the page they land on, without what differs on every response
    and with the typed address replaced."""
    response = Client().post(reverse(PAGE), {"email": email, **extra}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse(PAGE), 302)]
    return _PER_RESPONSE.sub("", response.content.decode()).replace(email, "ADDRESS")


def link_in(message) -> str:
    """The path of the unsubscribe link the email carries."""
    url = re.search(r"https?://\S+/unsubscribe/\S+/", text_of(message)).group(0)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def leaves(link: str) -> tuple[str, str]:
    """The (address, stream) that the unsubscribe link takes off."""
    return outbox.read_unsubscribe_token(link.rstrip("/").rsplit("/", 1)[1])


def test_a_stranger_typing_someones_address_does_not_take_them_off(smtp_sink):
    subscribed("ana@example.org")

    ask_for_link("Ana@Example.org")

    assert Subscriber.objects.get(email="ana@example.org").status == "confirmed"
    assert not Suppression.objects.exists()
    [message] = smtp_sink.to("ana@example.org")
    link = link_in(message)
    assert leaves(link) == ("ana@example.org", newsletter.STREAM)
    assert link in html_of(message)


def test_the_answer_is_the_same_whatever_the_address(smtp_sink):
    subscribed("ana@example.org")
    Subscriber.objects.create(email="left@example.org", status="unsubscribed")

    answers = {ask_for_link(e) for e in ("ana@example.org", "who@example.org", "left@example.org")}

    assert len(answers) == 1
    assert [str(m["To"]) for m in smtp_sink.messages] == ["ana@example.org"]


def test_the_page_does_the_same_work_whatever_the_address(smtp_sink, monkeypatch):
    """Whether anything is written is decided in a worker, so the time the
    page takes tells nothing either."""
    subscribed("ana@example.org")
    handed: list[str] = []
    monkeypatch.setattr(tasks.send_leave_link, "delay", handed.append)

    for email in ("ana@example.org", "who@example.org"):
        ask_for_link(email)

    assert handed == ["ana@example.org", "who@example.org"]
    assert not OutboxEmail.objects.exists()


def test_asking_again_within_the_hour_sends_one_link(smtp_sink):
    subscribed("ana@example.org")

    for _ in range(3):
        ask_for_link("ana@example.org")

    assert len(smtp_sink.to("ana@example.org")) == 1
    an_hour_later = timezone.now() + timedelta(seconds=newsletter.LEAVE_LINK_EVERY)
    assert newsletter.send_leave_link("ana@example.org", now=an_hour_later)
    assert OutboxEmail.objects.filter(kind=KIND).count() == 2


def test_opening_the_link_changes_nothing_and_the_button_takes_the_address_off(smtp_sink):
    subscribed("ana@example.org")
    ask_for_link("ana@example.org")
    [message] = smtp_sink.to("ana@example.org")
    link = link_in(message)

    shown = Client().get(link)  # a mail scanner prefetching the link, or ana opening it
    assert shown.status_code == 200
    assert "<form method=" in shown.content.decode()
    assert Subscriber.objects.get(email="ana@example.org").status == "confirmed"
    assert not Suppression.objects.exists()

    done = Client(enforce_csrf_checks=True).post(link)  # the button
    assert done.status_code == 200
    assert Subscriber.objects.get(email="ana@example.org").status == "unsubscribed"
    assert Suppression.objects.filter(email="ana@example.org", stream="newsletter").exists()


def test_a_mail_clients_one_click_post_still_takes_one_request(smtp_sink):
    subscribed("ana@example.org")
    ask_for_link("ana@example.org")
    [message] = smtp_sink.to("ana@example.org")

    response = Client(enforce_csrf_checks=True).post(
        link_in(message),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert Subscriber.objects.get(email="ana@example.org").status == "unsubscribed"
    assert Suppression.objects.get(email="ana@example.org").source == "one-click"


def test_the_link_comes_in_the_subscribers_language(smtp_sink):
    subscribed("ana@example.org", language="es")

    ask_for_link("ana@example.org")

    [message] = smtp_sink.to("ana@example.org")
    assert text_of(message).startswith("Hola:")
    assert '<html lang="es"' in html_of(message)


def test_no_link_goes_to_an_address_that_left_or_never_confirmed(smtp_sink):
    subscribed("ana@example.org")
    outbox.unsubscribe("ana@example.org", newsletter.STREAM, source="one-click")
    Subscriber.objects.filter(email="ana@example.org").update(status="confirmed")
    Subscriber.objects.create(email="pending@example.org", status="pending")

    ask_for_link("ana@example.org")
    ask_for_link("pending@example.org")

    assert not OutboxEmail.objects.filter(kind=KIND).exists()
    assert smtp_sink.messages == []


def test_a_filled_honeypot_gets_the_same_answer_and_no_email(smtp_sink):
    subscribed("ana@example.org")

    by_bot = ask_for_link("ana@example.org", website="http://spam.example")

    assert by_bot == ask_for_link("who@example.org")
    assert smtp_sink.messages == []


def test_once_sent_the_stored_email_keeps_no_link(smtp_sink):
    subscribed("ana@example.org")
    ask_for_link("ana@example.org")
    [message] = smtp_sink.to("ana@example.org")
    assert leaves(link_in(message)) == ("ana@example.org", newsletter.STREAM)

    row = OutboxEmail.objects.get(kind=KIND)

    assert row.state == OutboxEmail.State.SENT
    assert row.context["url"] == MARKER
    stored = str([row.context, row.body_text, row.body_html, row.subject])
    assert "/unsubscribe/" not in stored
