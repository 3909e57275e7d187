"""Leaving a mail stream from an email (RFC 8058): a mail client's bare POST
unsubscribes at once, without login, cookie or CSRF token; a person opening
the link sees a page with a button; a bad link changes nothing."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.core import signing
from django.test import Client

from circle import digests
from circle.models import EmailPreferences
from justop import outbox
from justop.models import OutboxEmail, Suppression
from justop.registry import (
    DigestSection,
    MailStream,
    register_digest_section,
    register_mail_stream,
    unregister_digest_section,
    unregister_mail_stream,
)
from tests.factories import MemberFactory as UserFactory
from tests.smtp import text_of

NY = ZoneInfo("America/New_York")
IN_WEEK_48 = datetime(2026, 11, 24, 9, 0, tzinfo=NY)
IN_WEEK_49 = datetime(2026, 12, 1, 9, 0, tzinfo=NY)
ONE_CLICK = "List-Unsubscribe=One-Click"
State = OutboxEmail.State


@pytest.fixture
def news():
    """A digest section with an item for every member listed here."""
    readers: set[int] = set()

    def for_members(users, period):
        item = {"title": f"News of {period.key}", "url": "/n/", "summary": "", "meta": ""}
        return {u.pk: [item] for u in users if u.pk in readers}

    register_digest_section(DigestSection("test-news", "Test news", for_members))
    yield readers
    unregister_digest_section("test-news")


@pytest.fixture
def newsletter():
    """A stream with no account behind it and nothing to do on leaving."""
    register_mail_stream(MailStream("test-newsletter", "the test newsletter"))
    yield "test-newsletter"
    unregister_mail_stream("test-newsletter")


def mail_client() -> Client:
    """What a mail client's unsubscribe button is: no session, no cookie, no
    CSRF token, and CSRF checks on."""
    return Client(enforce_csrf_checks=True)


def one_click(path: str, multipart: bool = False):
    """The POST of RFC 8058, urlencoded (most clients) or as form data (also allowed)."""
    if multipart:
        return mail_client().post(path, {"List-Unsubscribe": "One-Click"}, secure=True)
    return mail_client().post(
        path, data=ONE_CLICK, content_type="application/x-www-form-urlencoded", secure=True
    )


def link(email: str, stream: str) -> str:
    return urlsplit(outbox.unsubscribe_url(email, stream)).path


def frequency_of(person) -> str:
    preferences = EmailPreferences.objects.filter(user=person).first()
    return preferences.digest_frequency if preferences else EmailPreferences.DEFAULT_FREQUENCY


def queued_only(email: outbox.Email) -> OutboxEmail:
    """Queue an email whose send task has not run yet."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outbox.delivery, "enqueue", lambda ids, countdown=None: None)
        row = outbox.queue(email)
    assert row is not None
    return row


def bulk(to: str, stream: str, subject: str, user=None) -> outbox.Email:
    return outbox.Email(
        kind=f"test.{stream}",
        to=to,
        stream=stream,
        subject=subject,
        body_text="Hello",
        user=user,
    )


def test_a_mail_clients_one_click_post_to_the_digests_link_unsubscribes(smtp_sink, news, settings):
    settings.SITE_URL = "https://portal.example.org"
    ana, ben = UserFactory(), UserFactory()
    news.update({ana.pk, ben.pk})
    digests.send_digests("weekly", now=IN_WEEK_48)
    [digest] = smtp_sink.to(ana.email)
    address = re.fullmatch(r"<(.+)>", str(digest["List-Unsubscribe"])).group(1)
    assert address.startswith("https://portal.example.org/unsubscribe/")

    response = one_click(urlsplit(address).path)

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    suppression = Suppression.objects.get(email=ana.email)
    assert (suppression.stream, suppression.source) == ("digest", "one-click")
    assert frequency_of(ana) == "off"
    assert frequency_of(ben) == "weekly"

    digests.send_digests("weekly", now=IN_WEEK_49)

    assert len(smtp_sink.to(ana.email)) == 1
    assert len(smtp_sink.to(ben.email)) == 2
    assert "News of 2026-W48" in text_of(smtp_sink.to(ben.email)[-1])


def test_an_old_digest_still_stops_the_digest_after_the_address_changed(smtp_sink, news):
    ana = UserFactory(email="ana@old.example.org")
    news.add(ana.pk)
    digests.send_digests("weekly", now=IN_WEEK_48)
    address = re.fullmatch(r"<(.+)>", str(smtp_sink.to(ana.email)[0]["List-Unsubscribe"])).group(1)
    ana.email = "ana@new.example.org"
    ana.save()
    EmailAddress.objects.filter(user=ana).update(email=ana.email)  # the new address, verified

    assert one_click(urlsplit(address).path).status_code == 200

    assert frequency_of(ana) == "off"
    digests.send_digests("weekly", now=IN_WEEK_49)
    assert smtp_sink.to("ana@new.example.org") == []


def test_opening_the_link_shows_a_button_and_unsubscribes_nobody(db):
    ana = UserFactory()

    response = mail_client().get(link(ana.email, "digest"))

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<form method="post"', html)
    assert re.search(r'<button type="submit"[^>]*>Unsubscribe</button>', html)
    assert ana.email in html
    assert "the member digest" in html
    assert not Suppression.objects.exists()
    assert frequency_of(ana) == "weekly"
    # A page naming someone's address is not kept by caches.
    assert "no-store" in response["Cache-Control"]


def test_a_one_click_post_sent_as_form_data_also_counts_as_one_click(db):
    ana = UserFactory()

    response = one_click(link(ana.email, "digest"), multipart=True)

    assert response.status_code == 200
    assert Suppression.objects.get(email=ana.email).source == "one-click"
    assert frequency_of(ana) == "off"


def test_the_button_on_the_page_unsubscribes(db):
    ana = UserFactory()

    # The page's form posts back to the same address, with no special body.
    response = mail_client().post(link(ana.email, "digest"))

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    suppression = Suppression.objects.get(email=ana.email)
    assert (suppression.stream, suppression.source) == ("digest", "page")
    assert frequency_of(ana) == "off"


def test_unsubscribing_twice_is_harmless(db):
    ana = UserFactory()

    first = one_click(link(ana.email, "digest"))
    again = mail_client().post(link(ana.email, "digest"))

    assert (first.status_code, again.status_code) == (200, 200)
    [suppression] = Suppression.objects.all()
    assert suppression.source == "one-click"


def _tampered(token: str) -> str:
    # Change one character in the middle of the signature.
    payload, signature = token.rsplit(":", 1)
    middle = len(signature) // 2
    changed = "A" if signature[middle] != "A" else "B"
    return f"{payload}:{signature[:middle]}{changed}{signature[middle + 1 :]}"


def _for_someone_else(token: str) -> str:
    # Ben's address in the payload, with the timestamp and signature of Ana's link.
    _payload, signed = token.split(":", 1)
    return outbox.unsubscribe_token("ben@example.org", "digest").split(":", 1)[0] + ":" + signed


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda token: token[:-6], id="truncated"),
        pytest.param(lambda token: token[: len(token) // 2], id="cut-in-half"),
        pytest.param(_tampered, id="signature-changed"),
        pytest.param(_for_someone_else, id="someone-elses-address"),
        pytest.param(
            lambda token: signing.dumps({"e": "ana@example.org", "s": "digest"}),
            id="signed-for-another-purpose",
        ),
        pytest.param(lambda token: "not-a-token", id="garbage"),
    ],
)
@pytest.mark.parametrize("method", ["get", "one-click"])
def test_a_tampered_or_truncated_link_answers_400_and_changes_nothing(db, spoil, method):
    ana = UserFactory(email="ana@example.org")
    ben = UserFactory(email="ben@example.org")
    token = outbox.unsubscribe_token(ana.email, "digest")
    path = f"/unsubscribe/{spoil(token)}/"

    response = mail_client().get(path) if method == "get" else one_click(path)

    assert response.status_code == 400
    html = response.content.decode()
    assert "This unsubscribe link is not valid" in html
    assert "You are unsubscribed" not in html
    assert not Suppression.objects.exists()
    assert frequency_of(ana) == frequency_of(ben) == "weekly"


def test_a_link_for_an_unknown_stream_answers_400(db):
    ana = UserFactory()

    response = one_click(link(ana.email, "no-such-stream"))

    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in response.content.decode()
    assert not Suppression.objects.exists()
    assert frequency_of(ana) == "weekly"


def test_only_get_and_post_are_answered(db):
    response = mail_client().put(link("ana@example.org", "digest"))

    assert response.status_code == 405
    assert not Suppression.objects.exists()


def test_unsubscribing_cancels_queued_mail_of_that_stream_only(smtp_sink, newsletter):
    ana, ben = UserFactory(), UserFactory()
    ana_digest = queued_only(bulk(ana.email, "digest", "Ana's digest", user=ana))
    ana_newsletter = queued_only(bulk(ana.email, newsletter, "Ana's newsletter"))
    ben_digest = queued_only(bulk(ben.email, "digest", "Ben's digest", user=ben))
    ana_receipt = queued_only(
        outbox.Email(kind="test.receipt", to=ana.email, subject="Ana's receipt", body_text="Hi")
    )

    one_click(link(ana.email, "digest"))

    states = dict(OutboxEmail.objects.values_list("pk", "state"))
    assert states == {
        ana_digest.pk: State.CANCELLED,
        ana_newsletter.pk: State.PENDING,
        ben_digest.pk: State.PENDING,
        ana_receipt.pk: State.PENDING,
    }
    # The workers get to every row: the cancelled one is not sent.
    outbox.enqueue(list(states))
    outbox.queue(
        outbox.Email(kind="test.reset", to=ana.email, subject="Ana's password", body_text="Hi")
    )
    assert sorted(str(m["Subject"]) for m in smtp_sink.messages) == [
        "Ana's newsletter",
        "Ana's password",
        "Ana's receipt",
        "Ben's digest",
    ]
    ana_digest.refresh_from_db()
    assert ana_digest.state == State.CANCELLED


def test_an_address_without_an_account_can_unsubscribe(smtp_sink, newsletter):
    reader = "Reader@Example.net"
    pending = queued_only(bulk(reader, newsletter, "Issue 1"))

    page = mail_client().get(link(reader, newsletter))
    response = one_click(link(reader, newsletter))

    assert page.status_code == 200
    assert "reader@example.net" in page.content.decode()
    assert "the test newsletter" in page.content.decode()
    assert response.status_code == 200
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.stream, suppression.source) == (
        "reader@example.net",
        newsletter,
        "one-click",
    )
    pending.refresh_from_db()
    assert pending.state == State.CANCELLED
    assert outbox.queue(bulk("reader@example.net", newsletter, "Issue 2")) is None
    outbox.queue(outbox.Email(kind="test.receipt", to=reader, subject="Receipt", body_text="Hi"))
    assert [str(m["Subject"]) for m in smtp_sink.messages] == ["Receipt"]
