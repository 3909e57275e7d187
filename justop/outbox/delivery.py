"""Delivery: send tasks for batches of rows, the claim that makes a row one
worker's to send, SMTP over the worker's one connection, and retries with
backoff. The send tasks sit here, beside the service they run:
justop.tasks re-exports them for the worker's autodiscovery (under their
old names), and the outbox never imports justop.tasks."""

from __future__ import annotations

import logging
import random
import smtplib
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from functools import cache, partial
from typing import Any, cast

from celery import shared_task
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connections, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from justop import redaction
from justop.models import OutboxEmail
from justop.outbox.rendering import render
from justop.outbox.suppression import suppressed_pairs

# Every part of the outbox logs as "justop.outbox", as the one module did.
logger = logging.getLogger("justop.outbox")

State = OutboxEmail.State


# One send task carries up to this many rows: a digest run of 20,000 emails
# puts 200 tasks on the broker, and a worker pays for a task (taking it from
# the broker, acknowledging it), the claim and the suppression check once
# per batch instead of once per email.
BATCH_SIZE = 100
# A task starts no new message after this many seconds (or half the claim
# timeout, if that is shorter) and hands the rest of its batch to a new task:
# however slow the SMTP server, the task ends well inside its time limit and
# the claims of a living worker never look stale to the sweeper.
BATCH_SECONDS = 30.0


class Stamped(list[int]):
    """Ids of rows written with ``enqueued_at`` already set."""


def batches(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[i : i + BATCH_SIZE]) for i in range(0, len(ids), BATCH_SIZE)]


def enqueue(ids: Sequence[int], countdown: float | None = None) -> None:
    """Put send tasks on the broker for these rows, one per batch of
    BATCH_SIZE. If the broker is down the rows stay pending and the sweeper
    tries again."""
    from justop.celery import app

    if not isinstance(ids, Stamped):
        OutboxEmail.objects.filter(pk__in=ids).update(enqueued_at=timezone.now())
    ids = list(ids)
    options: dict[str, Any] = {}
    if countdown is not None:
        options["countdown"] = countdown
    if app.conf.task_always_eager:
        for batch in batches(ids):
            send_emails.apply_async((batch,), **options)
        return
    # One broker connection for the whole list.
    with app.producer_or_acquire() as producer:
        for batch in batches(ids):
            send_emails.apply_async((batch,), producer=producer, **options)


class TemporaryFailure(Exception):
    pass


class ConnectionFailure(TemporaryFailure):
    """The SMTP server cannot be reached or talked to: no message can go now."""


class PermanentFailure(Exception):
    pass


def claim(ids: Sequence[int]) -> list[OutboxEmail]:
    """Take, in one statement, the rows of these ids that are this worker's to
    send: pending and due, or claimed by a worker that died (a stale claim).
    Rows that are sent, given up, not yet due, or held by a living worker are
    left alone; so are rows another task is claiming at this very moment
    (SKIP LOCKED: two tasks for the same rows neither wait nor deadlock)."""
    now = timezone.now()
    token = uuid.uuid4()
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT)
    claimable = (
        OutboxEmail.objects.filter(pk__in=ids)
        .filter(
            Q(state=State.PENDING, next_attempt_at__lte=now)
            | Q(state=State.SENDING, claimed_at__lt=stale)
        )
        .select_for_update(skip_locked=True)
        .values("pk")
    )
    with transaction.atomic():
        taken = OutboxEmail.objects.filter(pk__in=claimable).update(
            state=State.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
        )
    if not taken:
        return []
    return list(OutboxEmail.objects.filter(pk__in=ids, claim=token).order_by("pk"))


def deliver(pk: int) -> str:
    """Send one row. Returns what happened, for logs and tests."""
    return deliver_many([pk])[pk]


def deliver_many(ids: Sequence[int]) -> dict[int, str]:
    """Send the rows of these ids that are ours to send, one message at a
    time over one SMTP connection, each row finished as soon as its message
    is. Returns what happened to each id: sent, failed, cancelled, retry,
    handed over (to a new task, when time ran out) or skipped (not ours)."""
    outcomes = dict.fromkeys(ids, "skipped")
    rows = claim(ids)
    if not rows:
        return outcomes
    suppressed = suppressed_pairs((row.recipient, row.stream) for row in rows if row.stream)
    deadline = time.monotonic() + min(BATCH_SECONDS, settings.OUTBOX_CLAIM_TIMEOUT / 2)
    done = 0
    try:
        while done < len(rows):
            if done and time.monotonic() > deadline:
                outcomes.update(dict.fromkeys(_hand_over(rows[done:]), "handed over"))
                done = len(rows)
                break
            row = rows[done]
            done += 1
            try:
                outcomes[row.pk] = _deliver_claimed(row, suppressed)
            except ConnectionFailure as error:
                # What stopped this message stops the rest of the batch: they
                # wait and retry together instead of each meeting the same wall.
                outcomes.update(_retry_later(rows[done - 1 :], str(error)))
                done = len(rows)
    finally:
        if done < len(rows):
            # An exception (a time limit, the database) stopped the batch:
            # the rows not yet tried go to a new task now rather than to the
            # sweeper after the claim timeout. The one being tried stays
            # claimed, since its message may have reached the server.
            _hand_over_quietly(rows[done:])
    return outcomes


def _deliver_claimed(row: OutboxEmail, suppressed: set[tuple[str, str]]) -> str:
    if row.stream and (row.recipient.lower(), row.stream) in suppressed:
        _finish(row, State.CANCELLED, error="The recipient unsubscribed from this stream.")
        return "cancelled"
    try:
        message = render(row)
    except Exception as error:  # a template or context bug: retrying cannot fix it
        logger.exception("Outbox email %s could not be rendered", row.pk)
        _finish(row, State.FAILED, error=f"Could not render: {error!r}")
        return "failed"
    # What the row keeps once sent (justop.redaction), worked out before
    # sending so that nothing but the UPDATE stands between the server's
    # answer and the row marked sent.
    try:
        redacted = redaction.redacted_row_fields(row)
    except Exception:  # a bug here must not make a sent message look unsent
        logger.exception("Outbox email %s: secrets could not be looked for", row.pk)
        redacted = {}
    try:
        _send(message)
    except ConnectionFailure:
        raise
    except TemporaryFailure as error:
        return _retry_later([row], str(error))[row.pk]
    except PermanentFailure as error:
        _finish(row, State.FAILED, error=str(error))
        return "failed"
    # Finished at once, not with the rest of the batch: a worker killed now
    # leaves at most this one message to be sent again. The links that are
    # keys to someone's account go in the same statement; most rows, digests
    # included, hold none and take the plain statement.
    if redacted:
        _finish(row, State.SENT, **redacted)
    else:
        _mark_sent(row)
    return "sent"


def _finish(row: OutboxEmail, state: str, error: str = "", **changes: Any) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"state": state, "last_error": error[:2000], **changes}
    if state == State.SENT:
        fields["sent_at"] = now
    # Only the holder of the claim may finish the row.
    OutboxEmail.objects.filter(pk=row.pk, claim=row.claim).update(**fields)


def _mark_sent(row: OutboxEmail) -> None:
    """``_finish(row, State.SENT)`` in plain SQL: it runs for every message,
    and building it with the ORM cost about 0.5 ms of CPU, twice what the
    statement itself costs the worker."""
    connection = connections[OutboxEmail.objects.db]
    params = [
        State.SENT.value,
        _field("sent_at").get_db_prep_value(timezone.now(), connection),
        row.pk,
        _field("claim").get_db_prep_value(row.claim, connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_mark_sent_sql(), params)


def _field(name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", OutboxEmail._meta.get_field(name))


@cache
def _mark_sent_sql() -> str:
    name = connections[OutboxEmail.objects.db].ops.quote_name
    return (
        f"UPDATE {name(OutboxEmail._meta.db_table)} "  # noqa: S608 (our own quoted names)
        f"SET {name('state')} = %s, {name('last_error')} = '', {name('sent_at')} = %s "
        f"WHERE {name('id')} = %s AND {name('claim')} = %s"
    )


def _hand_over(rows: Sequence[OutboxEmail]) -> list[int]:
    """Give up the claim of rows this task did not try, and enqueue them
    again. Their attempt is not counted. Returns their ids."""
    ids = [row.pk for row in rows]
    OutboxEmail.objects.filter(pk__in=ids, claim=rows[0].claim).update(
        state=State.PENDING, claim=None, attempts=F("attempts") - 1
    )
    transaction.on_commit(lambda: enqueue(ids), robust=True)
    return ids


def _hand_over_quietly(rows: Sequence[OutboxEmail]) -> None:
    try:
        _hand_over(rows)
    except Exception:  # the sweeper takes them over once their claim is stale
        logger.exception("Outbox: %d claimed email(s) could not be handed over", len(rows))


def backoff(attempts: int) -> float:
    """Seconds to wait before attempt number ``attempts + 1``: exponential,
    capped, with jitter so that many failed messages do not retry at once."""
    base = settings.OUTBOX_RETRY_BASE * 2 ** max(attempts - 1, 0)
    capped = min(base, settings.OUTBOX_RETRY_MAX)
    return float(capped * random.uniform(0.5, 1.0))  # noqa: S311 (not for security)


def _retry_later(rows: Sequence[OutboxEmail], error: str) -> dict[int, str]:
    """Rows to try again after a backoff (rows with the same number of
    attempts wait together), or failed for good after the last attempt."""
    outcomes: dict[int, str] = {}
    waiting: dict[int, list[OutboxEmail]] = {}
    for row in rows:
        if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            _finish(row, State.FAILED, error=f"Gave up after {row.attempts} attempts: {error}")
            outcomes[row.pk] = "failed"
        else:
            waiting.setdefault(row.attempts, []).append(row)
    for attempts, group in waiting.items():
        delay = backoff(attempts)
        ids = [row.pk for row in group]
        updated = OutboxEmail.objects.filter(pk__in=ids, claim=group[0].claim).update(
            state=State.PENDING,
            claim=None,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            last_error=error[:2000],
        )
        if updated:
            transaction.on_commit(partial(enqueue, ids, countdown=delay), robust=True)
        outcomes.update(dict.fromkeys(ids, "retry"))
    return outcomes


# One SMTP connection per worker process, reused from task to task; opened
# again when the mail settings change (tests) or the server hung up.
_connection_lock = threading.Lock()
_connection: dict[str, Any] = {}


def _mailer() -> Any:
    config = repr(getattr(settings, "MAILERS", {}))
    if _connection.get("config") != config:
        _close_connection()
        backend = mail.mailers.default
        backend.open()
        _connection.update(config=config, backend=backend)
    return _connection["backend"]


def _close_connection() -> None:
    backend = _connection.pop("backend", None)
    _connection.pop("config", None)
    if backend is not None:
        try:
            backend.close()
        except Exception:
            logger.debug("closing the SMTP connection failed", exc_info=True)


def _send(message: EmailMultiAlternatives) -> None:
    with _connection_lock:
        for attempt in (1, 2):
            try:
                _mailer().send_messages([message])
                return
            except smtplib.SMTPServerDisconnected as error:
                # An idle connection the server closed: one more try on a new one.
                _close_connection()
                if attempt == 2:
                    raise ConnectionFailure(f"SMTP server disconnected: {error}") from error
            except smtplib.SMTPRecipientsRefused as error:
                _close_connection()
                code, reason = next(iter(error.recipients.values()))
                raise _classify(code, reason) from error
            except smtplib.SMTPAuthenticationError as error:
                # A configuration problem: fixable without touching the message.
                _close_connection()
                raise ConnectionFailure(_describe(error.smtp_code, error.smtp_error)) from error
            except smtplib.SMTPResponseException as error:
                _close_connection()
                raise _classify(error.smtp_code, error.smtp_error) from error
            except (smtplib.SMTPException, OSError) as error:
                _close_connection()
                raise ConnectionFailure(f"SMTP connection failed: {error!r}") from error
            except ValueError as error:  # an address Django refuses to send to
                raise PermanentFailure(f"Invalid address: {error}") from error


def _describe(code: int, reason: bytes | str) -> str:
    text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    return f"SMTP {code}: {text}"


def _classify(code: int, reason: bytes | str) -> Exception:
    if 400 <= code < 500:
        return TemporaryFailure(_describe(code, reason))
    return PermanentFailure(_describe(code, reason))


# acks_late and reject_on_worker_lost (the project defaults, stated here
# because these tasks depend on them): a worker that dies mid-send leaves the
# broker message to be delivered again; the rows' claims stop a second send.
@shared_task(
    name="justop.tasks.send_emails", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def send_emails(email_ids: list[int]) -> dict[str, int]:
    """Send a batch of outbox rows; returns how many had each outcome (for the log)."""
    return dict(Counter(deliver_many(email_ids).values()))


# The task of one row, as queued before batches: kept so that tasks already
# on the broker when a deployment upgrades are still run.
@shared_task(
    name="justop.tasks.send_email", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def send_email(email_id: int) -> str:
    return deliver(email_id)
