"""Emails queued together are sent together: one send task for a batch of
rows, one claim for the batch, one SMTP connection, and still one outcome per
email: a refused recipient fails alone, a busy mailbox retries alone, and a
message is marked sent the moment the server accepted it."""

from __future__ import annotations

import re
import threading
from email.policy import SMTP

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from justop import outbox, tasks
from justop.models import OutboxEmail

State = OutboxEmail.State


def hello(to: str, **kwargs) -> outbox.Email:
    return outbox.Email(
        kind="test.batch", to=to, subject=f"Hello {to}", body_text="Hello,\nsee you soon.", **kwargs
    )


def queued_only(*addresses: str) -> list[int]:
    """Rows whose send task never ran (lost, or not yet taken by a worker)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outbox.delivery, "enqueue", lambda ids, countdown=None: None)
        rows = outbox.queue_many([hello(a) for a in addresses])
    return [row.pk for row in rows]


class Enqueued:
    """Stands in for outbox.enqueue: records what would go to the broker."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[int], float | None]] = []

    def __call__(self, ids, countdown=None) -> None:
        self.calls.append((list(ids), countdown))


def states(ids: list[int]) -> list[str]:
    found = dict(OutboxEmail.objects.filter(pk__in=ids).values_list("pk", "state"))
    return [found[pk] for pk in ids]


def test_emails_queued_together_go_out_as_one_task_per_batch(smtp_sink, monkeypatch):
    monkeypatch.setattr(outbox.delivery, "BATCH_SIZE", 3)
    published: list[list[int]] = []
    publish = tasks.send_emails.apply_async

    def recording(args, **options):
        published.append(list(args[0]))
        return publish(args, **options)

    monkeypatch.setattr(tasks.send_emails, "apply_async", recording)

    rows = outbox.queue_many([hello(f"p{i}@example.org") for i in range(7)])

    assert [len(batch) for batch in published] == [3, 3, 1]
    assert sorted(pk for batch in published for pk in batch) == sorted(r.pk for r in rows)
    assert len(smtp_sink.messages) == 7
    assert set(states([r.pk for r in rows])) == {State.SENT}


def test_a_batch_costs_one_statement_per_message_beyond_a_few_for_the_batch(smtp_sink):
    counts = []
    for size in (2, 6):
        ids = queued_only(*(f"q{size}-{i}@example.org" for i in range(size)))
        with CaptureQueriesContext(connection) as queries:
            outcomes = outbox.deliver_many(ids)
        assert set(outcomes.values()) == {"sent"}
        counts.append(len(queries))
    # Each message adds only the UPDATE that marks it sent; the claim, the
    # reading of the rows and the suppression check are once per batch.
    assert counts[1] - counts[0] == 6 - 2
    assert counts[0] - 2 <= 5


def test_a_refused_recipient_fails_alone_and_a_busy_mailbox_retries_alone(smtp_sink):
    smtp_sink.data_responses.append("451 4.2.1 Mailbox busy, try again later")
    smtp_sink.refuse["bea@example.org"] = "550 5.1.1 No such user here"

    rows = outbox.queue_many(
        [hello("ana@example.org"), hello("bea@example.org"), hello("cruz@example.org")]
    )

    ana, bea, cruz = (OutboxEmail.objects.get(pk=row.pk) for row in rows)
    assert ana.state == State.PENDING and "451" in ana.last_error
    assert ana.next_attempt_at > timezone.now()
    assert bea.state == State.FAILED and "550" in bea.last_error
    assert cruz.state == State.SENT and cruz.attempts == 1
    assert [m["To"] for m in smtp_sink.messages] == ["cruz@example.org"]


def test_when_the_mail_server_is_unreachable_the_batch_waits_and_retries_together(
    transactional_db, settings, monkeypatch
):
    from tests.smtp import free_port

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    ids = queued_only("ana@example.org", "bea@example.org", "cruz@example.org")
    enqueued = Enqueued()
    monkeypatch.setattr(outbox.delivery, "enqueue", enqueued)

    try:
        outcomes = outbox.deliver_many(ids)
    finally:
        outbox.delivery._close_connection()

    assert outcomes == dict.fromkeys(ids, "retry")
    rows = OutboxEmail.objects.filter(pk__in=ids)
    assert {(r.state, r.attempts, r.claim) for r in rows} == {(State.PENDING, 1, None)}
    assert all("SMTP connection failed" in r.last_error for r in rows)
    assert all(r.next_attempt_at > timezone.now() for r in rows)
    # One task for the three, after the backoff: not three tries at a dead server.
    [(again, countdown)] = enqueued.calls
    assert sorted(again) == sorted(ids) and countdown is not None and countdown > 0


def test_a_batch_out_of_time_hands_the_emails_it_did_not_try_to_a_new_task(smtp_sink, monkeypatch):
    monkeypatch.setattr(outbox.delivery, "BATCH_SECONDS", 0.0)
    ids = queued_only("ana@example.org", "bea@example.org", "cruz@example.org")
    enqueued = Enqueued()
    monkeypatch.setattr(outbox.delivery, "enqueue", enqueued)

    outcomes = outbox.deliver_many(ids)

    # At least one message per task, so a batch always moves forward.
    assert [outcomes[pk] for pk in ids] == ["sent", "handed over", "handed over"]
    assert states(ids) == [State.SENT, State.PENDING, State.PENDING]
    rest = OutboxEmail.objects.filter(pk__in=ids[1:])
    assert {(r.claim, r.attempts) for r in rest} == {(None, 0)}  # not counted as an attempt
    assert enqueued.calls == [(ids[1:], None)]
    assert len(smtp_sink.messages) == 1


def test_rows_a_living_worker_holds_are_left_to_it(smtp_sink):
    ids = queued_only("ana@example.org", "bea@example.org", "cruz@example.org")
    OutboxEmail.objects.filter(pk=ids[1]).update(
        state=State.SENDING, claimed_at=timezone.now(), attempts=1
    )

    outcomes = outbox.deliver_many(ids)

    assert [outcomes[pk] for pk in ids] == ["sent", "skipped", "sent"]
    assert sorted(m["To"] for m in smtp_sink.messages) == ["ana@example.org", "cruz@example.org"]


def test_a_batch_stopped_mid_send_keeps_only_the_message_in_flight_claimed(smtp_sink, monkeypatch):
    ids = queued_only(*(f"p{i}@example.org" for i in range(4)))
    enqueued = Enqueued()
    monkeypatch.setattr(outbox.delivery, "enqueue", enqueued)
    send = outbox.delivery._send
    sends: list[str] = []

    def hit_by_the_time_limit_on_the_second(message):
        sends.append(message.to[0])
        if len(sends) == 2:
            raise SoftTimeLimitExceeded()
        send(message)

    monkeypatch.setattr(outbox.delivery, "_send", hit_by_the_time_limit_on_the_second)

    with pytest.raises(SoftTimeLimitExceeded):
        outbox.deliver_many(ids)

    # The second may have reached the server: it stays claimed, and the
    # sweeper retakes it once its claim is stale. The two never tried go to
    # a new task at once.
    assert states(ids) == [State.SENT, State.SENDING, State.PENDING, State.PENDING]
    assert enqueued.calls == [(ids[2:], None)]
    assert [m["To"] for m in smtp_sink.messages] == ["p0@example.org"]


@pytest.mark.postgres
def test_tasks_racing_for_the_same_rows_send_each_email_once(smtp_sink):
    ids = queued_only(*(f"r{i}@example.org" for i in range(30)))
    racers = 4
    start = threading.Barrier(racers, timeout=10)
    errors: list[BaseException] = []
    outcomes: list[dict[int, str]] = []

    def run() -> None:
        try:
            start.wait()
            outcomes.append(outbox.deliver_many(ids))
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(
        f"r{i}@example.org" for i in range(30)
    )
    assert set(states(ids)) == {State.SENT}
    # Every id was sent by exactly one task and skipped by the others.
    for pk in ids:
        assert sorted(result[pk] for result in outcomes) == ["sent"] + ["skipped"] * (racers - 1)


def test_a_task_queued_before_batches_still_sends_its_email(smtp_sink):
    [pk] = queued_only("ana@example.org")
    assert tasks.send_email(pk) == "sent"
    assert tasks.send_email(pk) == "skipped"
    assert len(smtp_sink.messages) == 1


def test_an_outbox_message_is_written_byte_for_byte_as_djangos(db):
    row = outbox.Email(
        kind="test.digest",
        to="ana@example.org",
        language="es",
        template="emails/digest",
        context={
            "frequency": "weekly",
            "first_day": "2026-11-16",
            "last_day": "2026-11-22",
            "name": "Ana Pérez, «la de siempre»",
            "sections": [{"key": "k", "title": "Círculo", "items": [{"title": "Ñandú"}]}],
        },
        reply_to="Señora Núñez <nunez@example.org>",
    ).row()
    ours = outbox.render(row)
    djangos = EmailMultiAlternatives(
        subject=ours.subject,
        body=ours.body,
        from_email=ours.from_email,
        to=ours.to,
        headers=ours.extra_headers,
        reply_to=ours.reply_to,
        alternatives=ours.alternatives,
    )

    def written(message: EmailMultiAlternatives) -> bytes:
        raw = message.message(policy=SMTP).as_bytes()
        boundary = re.search(rb'boundary="([^"]+)"', raw)
        assert boundary is not None
        raw = raw.replace(boundary.group(1), b"BOUNDARY")
        return re.sub(rb"\r\nDate: [^\r]*", b"", raw)

    # Twice: the second message uses the header classes the first built.
    for _ in range(2):
        assert written(ours) == written(djangos)
    assert b"=?utf-8?" in written(ours)  # encoded words were exercised
