"""The outbox: every email is queued once, in the transaction of its cause,
sent by a worker that claims it, retried when the mail server says later,
and recorded as failed, with the reason, when it says never."""

from __future__ import annotations

import re
from datetime import timedelta
from email.policy import SMTP

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from justop import outbox
from justop.models import OutboxEmail, Suppression
from justop.registry import MailStream, register_mail_stream, unregister_mail_stream
from tests.smtp import html_of, text_of

State = OutboxEmail.State


def hello(to: str = "ana@example.org", **kwargs) -> outbox.Email:
    return outbox.Email(
        kind="test.hello",
        to=to,
        subject=kwargs.pop("subject", "Welcome to the Circle"),
        body_text=kwargs.pop("body_text", "Hello Ana,\nyour link: https://example.org/x"),
        **kwargs,
    )


def queued_only(email: outbox.Email) -> OutboxEmail:
    """Queue an email whose send task never reaches a worker (lost, or not yet run)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outbox.delivery, "enqueue", lambda ids, countdown=None: None)
        row = outbox.queue(email)
    assert row is not None
    return row


@pytest.fixture
def stream():
    register_mail_stream(MailStream("test-news", "the test newsletter"))
    yield "test-news"
    unregister_mail_stream("test-news")


def test_the_same_logical_email_is_queued_only_once(db, smtp_sink):
    first = outbox.queue(hello(about="invitation:1", period="2026-W48"))
    again = outbox.queue(hello(to="ANA@example.org", about="invitation:1", period="2026-W48"))
    other_period = outbox.queue(hello(about="invitation:1", period="2026-W49"))

    assert first is not None and other_period is not None
    assert again is None
    assert OutboxEmail.objects.count() == 2
    assert len(smtp_sink.messages) == 2


def test_an_email_exists_only_if_its_cause_was_committed(db, smtp_sink):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.queue(hello())
        raise RuntimeError("the change that caused the email failed")

    assert OutboxEmail.objects.count() == 0
    assert smtp_sink.messages == []


def test_nothing_is_sent_before_the_transaction_commits(db, smtp_sink):
    with transaction.atomic():
        row = outbox.queue(hello())
        assert smtp_sink.messages == []
    row.refresh_from_db()
    assert row.state == State.SENT
    assert len(smtp_sink.messages) == 1


def test_a_sent_email_is_multipart_with_the_message_id_fixed_when_queued(db, smtp_sink):
    row = outbox.queue(hello())
    row.refresh_from_db()

    [message] = smtp_sink.messages
    assert message["Message-ID"] == row.message_id
    assert message["Subject"] == "Welcome to the Circle"
    assert "Hello Ana," in text_of(message)
    html = html_of(message)
    assert '<html lang="en"' in html
    assert '<a href="https://example.org/x"' in html  # links in plain bodies become links
    assert row.state == State.SENT and row.sent_at is not None and row.attempts == 1
    # Transactional mail has no unsubscribe link.
    assert message["List-Unsubscribe"] is None


def test_a_message_rendered_from_templates_is_in_the_recipients_language(db, smtp_sink, user):
    user.language = "es"
    user.save()
    outbox.queue(
        outbox.Email(
            kind="test.digest",
            to=user.email,
            user=user,
            template="emails/digest",
            context={
                "frequency": "daily",
                "first_day": "2026-11-28",
                "last_day": "2026-11-28",
                "name": "Ana",
                "sections": [],
            },
        )
    )
    [message] = smtp_sink.messages
    assert message["Subject"].startswith("Lo nuevo en el Círculo")
    assert '<html lang="es"' in html_of(message)
    assert "Hola, Ana:" in text_of(message)


def test_bulk_mail_carries_one_click_unsubscribe_headers(db, smtp_sink, settings, stream):
    settings.SITE_URL = "https://portal.example.org"
    outbox.queue(hello(stream=stream))

    [message] = smtp_sink.messages
    link = message["List-Unsubscribe"]
    assert link.startswith("<https://portal.example.org/unsubscribe/") and link.endswith("/>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link[1:-1] in text_of(message)
    assert link[1:-1] in html_of(message)


def test_the_unsubscribe_address_is_written_as_a_plain_url_on_one_line(db, settings, stream):
    # Long enough that the email package would fold it into RFC 2047 encoded
    # words, which mail clients do not decode in this header.
    settings.SITE_URL = "https://portal.justopportunity.example.org"
    address = "someone.with.a.long.address@example.org"
    row = hello(to=address, stream=stream).row()
    raw = outbox.render(row).message(policy=SMTP).as_bytes()

    [line] = [h for h in raw.split(b"\r\n") if h.startswith(b"List-Unsubscribe:")]
    found = re.fullmatch(
        rb"List-Unsubscribe: <(https://portal\.justopportunity\.example\.org/unsubscribe/"
        rb"([\w:.-]+)/)>",
        line,
    )
    assert found, line
    assert len(found.group(1)) > 78
    token = found.group(2).decode()
    assert outbox.read_unsubscribe_token(token) == (address, stream)
    assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw


def test_a_temporary_failure_is_retried_later_with_the_same_message_id(db, smtp_sink):
    smtp_sink.data_responses.append("451 4.3.0 Mailbox busy, try again later")
    row = outbox.queue(hello())
    row.refresh_from_db()

    assert row.state == State.PENDING
    assert "451" in row.last_error
    assert row.next_attempt_at > timezone.now()
    assert smtp_sink.messages == []

    # Not before it is due...
    assert outbox.deliver(row.pk) == "skipped"
    # ...and when it is due, it goes, with the Message-ID of the first try.
    OutboxEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver(row.pk) == "sent"
    [message] = smtp_sink.messages
    assert message["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert row.attempts == 2


def test_a_refused_recipient_is_a_permanent_failure_with_the_reason(db, smtp_sink):
    smtp_sink.refuse["nobody@example.org"] = "550 5.1.1 No such user here"
    row = outbox.queue(hello(to="nobody@example.org"))
    row.refresh_from_db()

    assert row.state == State.FAILED
    assert "550" in row.last_error and "No such user" in row.last_error
    assert row.attempts == 1


def test_an_unreachable_mail_server_is_a_temporary_failure(transactional_db, settings):
    from tests.smtp import free_port

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    row = outbox.queue(hello())
    row.refresh_from_db()
    assert row.state == State.PENDING
    assert "SMTP connection failed" in row.last_error


def test_it_gives_up_after_the_last_attempt(db, smtp_sink, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_sink.data_responses.extend(["451 4.3.0 later"] * 3)
    row = outbox.queue(hello())
    for _ in range(2):
        OutboxEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        outbox.deliver(row.pk)
    row.refresh_from_db()
    assert row.state == State.FAILED
    assert row.last_error.startswith("Gave up after 3 attempts")
    assert smtp_sink.messages == []


def test_retries_back_off_exponentially_with_jitter_and_a_cap(settings):
    settings.OUTBOX_RETRY_BASE = 60
    settings.OUTBOX_RETRY_MAX = 1800
    for attempts, ceiling in [(1, 60), (2, 120), (3, 240), (6, 1800), (12, 1800)]:
        delays = {outbox.backoff(attempts) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays), (attempts, delays)
        assert len(delays) > 1  # jitter: retries of many emails do not line up


def test_a_row_claimed_by_a_living_worker_is_not_sent_twice(db, smtp_sink):
    row = queued_only(hello())
    # Another worker claimed it a moment ago.
    OutboxEmail.objects.filter(pk=row.pk).update(
        state=State.SENDING, claimed_at=timezone.now(), attempts=1
    )
    assert outbox.deliver(row.pk) == "skipped"
    assert smtp_sink.messages == []


def test_a_claim_left_by_a_dead_worker_is_taken_over(db, smtp_sink, settings):
    row = queued_only(hello())
    OutboxEmail.objects.filter(pk=row.pk).update(
        state=State.SENDING,
        claimed_at=timezone.now() - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT + 1),
        attempts=1,
    )
    assert outbox.deliver(row.pk) == "sent"
    assert outbox.deliver(row.pk) == "skipped"  # a second task finds it sent
    assert len(smtp_sink.messages) == 1


def test_the_sweeper_sends_what_a_lost_broker_message_left_pending(smtp_sink, settings):
    # The broker lost the send tasks: the rows were queued, nothing sent them.
    row = queued_only(hello())
    fresh = queued_only(hello(to="new@example.org"))
    long_ago = timezone.now() - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER + 5)
    OutboxEmail.objects.filter(pk=row.pk).update(
        created_at=long_ago, next_attempt_at=long_ago, enqueued_at=long_ago
    )

    assert outbox.sweep() == 1  # the fresh one may still have its task coming
    row.refresh_from_db()
    fresh.refresh_from_db()
    assert row.state == State.SENT
    assert fresh.state == State.PENDING
    assert [m["To"] for m in smtp_sink.messages] == ["ana@example.org"]


def test_the_sweeper_leaves_finished_and_freshly_claimed_rows_alone(db, smtp_sink, settings):
    sent = outbox.queue(hello())
    long_ago = timezone.now() - timedelta(hours=2)
    OutboxEmail.objects.filter(pk=sent.pk).update(created_at=long_ago, next_attempt_at=long_ago)
    busy = queued_only(hello(to="busy@example.org"))
    OutboxEmail.objects.filter(pk=busy.pk).update(
        state=State.SENDING,
        claimed_at=timezone.now(),
        next_attempt_at=long_ago,
        enqueued_at=long_ago,
    )
    assert outbox.sweep() == 0
    assert len(smtp_sink.messages) == 1


def test_an_unsubscribed_address_gets_no_more_of_that_stream(db, smtp_sink, stream):
    # Queued before the unsubscribe, not yet sent.
    pending = queued_only(hello(stream=stream, period="1"))
    outbox.unsubscribe("Ana@Example.org", stream, source="page")

    pending.refresh_from_db()
    assert pending.state == State.CANCELLED
    assert outbox.queue(hello(stream=stream, period="2")) is None
    assert outbox.queue(hello(stream=stream, to="other@example.org")) is not None
    assert outbox.queue(hello(about="receipt:1")) is not None  # transactional still goes
    assert sorted(m["To"] for m in smtp_sink.messages) == ["ana@example.org", "other@example.org"]


def test_an_address_unsubscribed_after_queueing_is_skipped_at_send_time(db, smtp_sink, stream):
    row = queued_only(hello(stream=stream))
    Suppression.objects.create(email="ana@example.org", stream=stream)
    assert outbox.deliver(row.pk) == "cancelled"
    assert smtp_sink.messages == []


def test_an_unknown_stream_is_refused_when_queueing(db):
    with pytest.raises(LookupError):
        outbox.queue(hello(stream="no-such-stream"))


def test_queueing_many_emails_takes_a_fixed_number_of_queries(db, monkeypatch):
    monkeypatch.setattr(outbox.delivery, "enqueue", lambda ids, countdown=None: None)
    counts = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            created = outbox.queue_many([hello(to=f"p{size}-{i}@example.org") for i in range(size)])
        assert len(created) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_staff_retry_sends_a_failed_email_again(db, smtp_sink):
    smtp_sink.refuse["late@example.org"] = "550 5.1.1 Unknown"
    row = outbox.queue(hello(to="late@example.org"))
    del smtp_sink.refuse["late@example.org"]

    assert outbox.retry(OutboxEmail.objects.filter(pk=row.pk)) == 1
    row.refresh_from_db()
    assert row.state == State.SENT
    assert smtp_sink.messages[0]["Message-ID"] == row.message_id


def test_staff_cancel_stops_an_email_not_yet_sent(smtp_sink):
    row = queued_only(hello())
    assert outbox.cancel(OutboxEmail.objects.all()) == 1
    assert outbox.deliver(row.pk) == "skipped"
    assert smtp_sink.messages == []


def test_finished_emails_are_purged_after_the_retention_period(db, settings, monkeypatch):
    settings.OUTBOX_KEEP_DAYS = 30
    monkeypatch.setattr(outbox.delivery, "enqueue", lambda ids, countdown=None: None)
    old = timezone.now() - timedelta(days=31)
    for state, to in [
        (State.SENT, "old-sent"),
        (State.FAILED, "old-failed"),
        (State.PENDING, "old-pending"),
    ]:
        row = outbox.queue(hello(to=f"{to}@example.org"))
        OutboxEmail.objects.filter(pk=row.pk).update(state=state, created_at=old)
    recent = outbox.queue(hello(to="recent@example.org"))
    OutboxEmail.objects.filter(pk=recent.pk).update(state=State.SENT)

    assert outbox.purge() == 2
    assert sorted(OutboxEmail.objects.values_list("recipient", flat=True)) == [
        "old-pending@example.org",  # never deleted before it is finished
        "recent@example.org",
    ]


def test_a_subject_is_plain_text_not_html(db, smtp_sink):
    outbox.queue(
        outbox.Email(
            kind="test.invitation",
            to="ana@example.org",
            template="circle/emails/invitation",
            context={
                "organization": "Smith & Sons <Co>",
                "role": "member",
                "inviter": "",
                "url": "https://example.org/i/",
                "expires": "2026-12-06",
            },
        )
    )
    [message] = smtp_sink.messages
    assert "Smith & Sons <Co>" in message["Subject"]
    assert "Smith &amp; Sons &lt;Co&gt;" in html_of(message)  # escaped where it is HTML


@pytest.mark.parametrize(
    ("language", "subject", "intro"),
    [
        ("en", "November 16 to November 22", "from November 16 to November 22, 2026."),
        (
            "es",
            "del 16 de noviembre al 22 de noviembre",
            "del 16 de noviembre al 22 de noviembre de 2026.",
        ),
    ],
)
def test_dates_in_a_digest_read_naturally_in_each_language(db, language, subject, intro):
    row = outbox.Email(
        kind="test.digest",
        to="ana@example.org",
        language=language,
        template="emails/digest",
        context={
            "frequency": "weekly",
            "first_day": "2026-11-16",
            "last_day": "2026-11-22",
            "name": "",
            "sections": [],
        },
    ).row()
    message = outbox.render(row)
    assert message.subject.endswith(subject)
    assert intro in message.body
