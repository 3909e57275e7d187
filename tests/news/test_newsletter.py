"""The newsletter: double opt-in, the weekly public digest, and leaving it in
one click or from a page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from justop.models import OutboxEmail
from news import newsletter
from news.models import NewsPost, Subscriber
from tests.factories import StaffFactory, sign_in_with_second_factor
from tests.smtp import html_of, text_of

NY = ZoneInfo("America/New_York")
IN_WEEK_48 = datetime(2026, 11, 24, 9, 0, tzinfo=NY)  # the week before: W47, Nov 16-22


def confirm_link(message) -> str:
    url = re.search(r"https?://\S+/news/newsletter/confirm/\S+/", text_of(message)).group(0)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def published_post(when: datetime, title: str = "Transit is a jobs issue") -> NewsPost:
    return NewsPost.objects.create(
        title=title,
        slug=title.lower().replace(" ", "-"),
        summary="Buses to job centers.",
        body="Early-morning service matters.",
        category=NewsPost.Category.ADVOCACY,
        status=NewsPost.Status.PUBLISHED,
        publish_at=when,
    )


def subscribed(email: str, language: str = "en") -> Subscriber:
    return Subscriber.objects.create(
        email=email, language=language, status="confirmed", confirmed_at=timezone.now()
    )


def test_subscribing_takes_a_confirmation_from_the_mailbox(client, smtp_sink):
    response = client.post(reverse("news:newsletter"), {"email": "Ana@Example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("news:newsletter_check_email")
    subscriber = Subscriber.objects.get(email="ana@example.org")
    assert subscriber.status == "pending"

    [message] = smtp_sink.to("ana@example.org")
    link = confirm_link(message)
    # Opening the link (or a mail scanner opening it) confirms nothing...
    assert "Yes, subscribe me" in client.get(link).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"
    # ...pressing the button does.
    client.post(link)
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed" and subscriber.confirmed_at


def test_the_page_says_the_same_whether_or_not_the_address_is_subscribed(client, smtp_sink):
    subscribed("known@example.org")
    known = client.post(reverse("news:newsletter"), {"email": "known@example.org"})
    unknown = client.post(reverse("news:newsletter"), {"email": "new@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The subscribed address is not asked again.
    assert smtp_sink.to("known@example.org") == []
    assert len(smtp_sink.to("new@example.org")) == 1


def test_a_filled_honeypot_stores_nothing(client, smtp_sink):
    response = client.post(
        reverse("news:newsletter"), {"email": "bot@example.org", "website": "http://spam"}
    )
    assert response.status_code == 302
    assert not Subscriber.objects.exists()
    assert smtp_sink.messages == []


def test_too_many_requests_from_one_address_are_refused_with_the_answer_kept(client, db):
    for i in range(10):
        client.post(reverse("news:newsletter"), {"email": f"p{i}@example.org"})
    response = client.post(reverse("news:newsletter"), {"email": "late@example.org"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many requests" in html
    assert 'value="late@example.org"' in html
    assert not Subscriber.objects.filter(email="late@example.org").exists()


def test_a_damaged_or_expired_confirmation_link_says_so(client, db, monkeypatch):
    subscriber = Subscriber.objects.create(email="ana@example.org")
    token = newsletter.confirm_token(subscriber)
    assert client.get(reverse("news:newsletter_confirm", args=[token[:-3]])).status_code == 400
    monkeypatch.setattr(newsletter, "CONFIRM_FOR", -1)
    response = client.post(reverse("news:newsletter_confirm", args=[token]))
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"


def test_the_weekly_newsletter_goes_once_to_confirmed_subscribers(smtp_sink):
    published_post(datetime(2026, 11, 18, 10, 0, tzinfo=NY))
    published_post(datetime(2026, 11, 25, 10, 0, tzinfo=NY), title="Next week news")
    subscribed("ana@example.org")
    Subscriber.objects.create(email="pending@example.org")
    Subscriber.objects.create(email="gone@example.org", status="unsubscribed")

    first = newsletter.send_newsletter(IN_WEEK_48)
    again = newsletter.send_newsletter(IN_WEEK_48)

    assert (first.period, first.queued, again.queued) == ("2026-W47", 1, 0)
    [message] = smtp_sink.messages
    assert message["To"] == "ana@example.org"
    body = text_of(message)
    assert "Transit is a jobs issue" in body
    assert "Next week news" not in body  # outside the week
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_week_without_news_sends_no_newsletter(smtp_sink):
    subscribed("ana@example.org")
    assert newsletter.send_newsletter(IN_WEEK_48).queued == 0
    assert smtp_sink.messages == []


def test_subscribers_read_it_in_their_language(smtp_sink):
    published_post(datetime(2026, 11, 18, 10, 0, tzinfo=NY))
    subscribed("ana@example.org", language="es")
    newsletter.send_newsletter(IN_WEEK_48)
    [message] = smtp_sink.messages
    assert message["Subject"].startswith("Lo nuevo en el Círculo")
    assert "NOTICIAS DE PSE" in text_of(message)  # the section title, translated


def test_spanish_subscribers_read_the_spanish_version_of_the_posts_that_have_one(smtp_sink):
    translated = published_post(datetime(2026, 11, 18, 10, 0, tzinfo=NY))
    NewsPost.objects.filter(pk=translated.pk).update(
        title_es="El transporte es un tema de empleo", summary_es="Autobuses a los empleos."
    )
    published_post(datetime(2026, 11, 19, 10, 0, tzinfo=NY), title="Council adopts plan")
    subscribed("ana@example.org", language="es")
    subscribed("ben@example.org", language="en")

    newsletter.send_newsletter(IN_WEEK_48)

    [ana] = smtp_sink.to("ana@example.org")
    assert "El transporte es un tema de empleo" in text_of(ana)
    assert "Autobuses a los empleos." in text_of(ana)
    assert "Transit is a jobs issue" not in text_of(ana)
    # No Spanish version: the English, marked as English.
    assert re.search(r'lang="en"[^>]*>\s*Council adopts plan', html_of(ana))
    [ben] = smtp_sink.to("ben@example.org")
    assert "Transit is a jobs issue" in text_of(ben) and "Autobuses" not in text_of(ben)


def test_one_click_from_an_issue_ends_the_newsletter(smtp_sink):
    published_post(datetime(2026, 11, 18, 10, 0, tzinfo=NY))
    subscribed("ana@example.org")
    newsletter.send_newsletter(IN_WEEK_48)
    link = smtp_sink.messages[0]["List-Unsubscribe"].strip("<>")
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Subscriber.objects.get().status == "unsubscribed"
    published_post(datetime(2026, 11, 25, 10, 0, tzinfo=NY), title="Later news")
    assert newsletter.send_newsletter(IN_WEEK_48 + timedelta(days=7)).queued == 0


def test_subscribing_again_after_leaving_works(client, smtp_sink):
    Subscriber.objects.create(email="ana@example.org", status="unsubscribed")
    from justop import outbox

    outbox.unsubscribe("ana@example.org", newsletter.STREAM, source="page")
    client.post(reverse("news:newsletter"), {"email": "ana@example.org"})
    client.post(confirm_link(smtp_sink.to("ana@example.org")[0]))
    published_post(datetime(2026, 11, 18, 10, 0, tzinfo=NY))
    assert newsletter.send_newsletter(IN_WEEK_48).queued == 1


def test_staff_export_subscribers_safely(client, db):
    subscribed("=cmd@example.org")
    sign_in_with_second_factor(client, StaffFactory())
    response = client.post(
        reverse("admin:news_subscriber_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(Subscriber.objects.values_list("pk", flat=True)),
        },
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "'=cmd@example.org" in response.content.decode()


def test_the_beat_entry_fired_twice_sends_the_newsletter_once(smtp_sink):
    from justop.celery import app
    from justop.digests import Period
    from news.tasks import send_newsletter

    published_post(Period.last_complete("weekly").start + timedelta(days=1))
    subscribed("ana@example.org")
    entry = app.conf.beat_schedule["weekly-newsletter"]
    assert entry["task"] == send_newsletter.name
    send_newsletter.apply()
    send_newsletter.apply()
    assert OutboxEmail.objects.filter(kind="news.newsletter").count() == 1
    assert len(smtp_sink.to("ana@example.org")) == 1
