"""The one delivery path for email: queue in the caller's transaction, send
from a Celery task that claims the row, sweep what a crash or a lost broker
message left behind.

Guarantees:
- queued once: the key (kind, recipient, object, period) is unique;
- never lost: a row stays pending until a worker marks it sent or gives up
  on it, and the sweeper re-enqueues rows nobody is working on;
- not doubled: a worker sends only a row it claimed with a conditional
  UPDATE. A worker killed after the SMTP server accepted a message but before
  the row was marked sent leaves one possible copy, which carries the same
  Message-ID as the original.
"""

from __future__ import annotations

import hashlib
import logging
import random
import smtplib
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import make_msgid
from html import unescape as unescape_html
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail, signing
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from justop.models import OutboxEmail, Suppression
from justop.registry import mail_stream

logger = logging.getLogger(__name__)

State = OutboxEmail.State
UNSUBSCRIBE_SALT = "justop.unsubscribe"


@dataclass
class Email:
    """One logical email to queue. Either a template (``emails/<name>``,
    rendered at send time from ``context``, which must be JSON-ready) or a
    pre-rendered subject and body."""

    kind: str
    to: str
    template: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    user: Any = None
    stream: str = ""
    about: Any = ""
    period: str = ""
    language: str = ""
    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    attachments: list[dict[str, str]] = field(default_factory=list)
    reply_to: str = ""

    def object_ref(self) -> str:
        about = self.about
        if isinstance(about, models.Model):
            return f"{about._meta.label_lower}:{about.pk}"
        return str(about or "")

    def key(self) -> str:
        parts = (self.kind, self.to.strip().lower(), self.object_ref(), self.period)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def row(self) -> OutboxEmail:
        if not (self.template or self.subject):
            raise ValueError("An email needs a template or a subject and body.")
        if self.stream:
            mail_stream(self.stream)  # raises for an unknown stream
        language = self.language or getattr(self.user, "language", "") or settings.LANGUAGE_CODE
        return OutboxEmail(
            key=self.key(),
            kind=self.kind,
            stream=self.stream,
            recipient=self.to.strip(),
            user=self.user,
            object_ref=self.object_ref()[:120],
            period=self.period,
            language=language,
            template=self.template,
            context=self.context,
            subject=self.subject[:255],
            body_text=self.body_text,
            body_html=self.body_html,
            attachments=self.attachments,
            reply_to=self.reply_to,
            message_id=make_msgid(domain=_site_domain()),
        )


def _site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


# --- Queueing --------------------------------------------------------------------


def queue(email: Email) -> OutboxEmail | None:
    """Queue one email in the current transaction. Returns the new row, or
    None when the same logical email was already queued or the address left
    the email's stream."""
    rows = queue_many([email])
    return rows[0] if rows else None


def queue_many(emails: Sequence[Email]) -> list[OutboxEmail]:
    """Queue many emails with a fixed number of queries, whatever their
    number. The send tasks are enqueued when the transaction commits."""
    if not emails:
        return []
    suppressed = suppressed_pairs((e.to, e.stream) for e in emails if e.stream)
    candidates = [
        e.row() for e in emails if not e.stream or (e.to.lower(), e.stream) not in suppressed
    ]
    with transaction.atomic():
        OutboxEmail.objects.bulk_create(candidates, ignore_conflicts=True, batch_size=1000)
        # bulk_create cannot say which rows it skipped: the Message-IDs, unique
        # and fresh, tell the rows this call created.
        created = list(
            OutboxEmail.objects.filter(message_id__in=[c.message_id for c in candidates])
        )
        ids = [row.pk for row in created]
        if ids:
            transaction.on_commit(lambda: enqueue(ids), robust=True)
    return created


def suppressed_pairs(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    wanted = {(email.lower(), stream) for email, stream in pairs}
    if not wanted:
        return set()
    query = Q()
    for stream in {stream for _, stream in wanted}:
        query |= Q(stream=stream, email__in=[e for e, s in wanted if s == stream])
    return {
        (email.lower(), stream)
        for email, stream in Suppression.objects.filter(query).values_list("email", "stream")
    }


def enqueue(ids: Sequence[int], countdown: float | None = None) -> None:
    """Put a send task on the broker for each row. If the broker is down the
    rows stay pending and the sweeper tries again."""
    from justop.tasks import send_email

    OutboxEmail.objects.filter(pk__in=ids).update(enqueued_at=timezone.now())
    from justop.celery import app

    options: dict[str, Any] = {}
    if countdown is not None:
        options["countdown"] = countdown
    if app.conf.task_always_eager:
        for pk in ids:
            send_email.apply_async((pk,), **options)
        return
    # One broker connection for the whole list.
    with app.producer_or_acquire() as producer:
        for pk in ids:
            send_email.apply_async((pk,), producer=producer, **options)


# --- Delivery ----------------------------------------------------------------------


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


def claim(pk: int) -> OutboxEmail | None:
    """Take the row for this worker, or None if it is not ours to send: sent,
    given up, not yet due, or claimed by a worker that is still within its
    time. Stale claims (a worker that died) may be taken over."""
    now = timezone.now()
    token = uuid.uuid4()
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT)
    taken = (
        OutboxEmail.objects.filter(pk=pk)
        .filter(
            Q(state=State.PENDING, next_attempt_at__lte=now)
            | Q(state=State.SENDING, claimed_at__lt=stale)
        )
        .update(state=State.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not taken:
        return None
    return OutboxEmail.objects.get(pk=pk, claim=token)


def deliver(pk: int) -> str:
    """Send one row. Returns what happened, for logs and tests."""
    row = claim(pk)
    if row is None:
        return "skipped"
    if row.stream and suppressed_pairs([(row.recipient, row.stream)]):
        _finish(row, State.CANCELLED, error="The recipient unsubscribed from this stream.")
        return "cancelled"
    try:
        message = render(row)
    except Exception as error:  # a template or context bug: retrying cannot fix it
        logger.exception("Outbox email %s could not be rendered", row.pk)
        _finish(row, State.FAILED, error=f"Could not render: {error!r}")
        return "failed"
    try:
        _send(message)
    except TemporaryFailure as error:
        return _retry_later(row, str(error))
    except PermanentFailure as error:
        _finish(row, State.FAILED, error=str(error))
        return "failed"
    _finish(row, State.SENT)
    return "sent"


def _finish(row: OutboxEmail, state: str, error: str = "") -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"state": state, "last_error": error[:2000]}
    if state == State.SENT:
        fields["sent_at"] = now
    # Only the holder of the claim may finish the row.
    OutboxEmail.objects.filter(pk=row.pk, claim=row.claim).update(**fields)


def backoff(attempts: int) -> float:
    """Seconds to wait before attempt number ``attempts + 1``: exponential,
    capped, with jitter so that many failed messages do not retry at once."""
    base = settings.OUTBOX_RETRY_BASE * 2 ** max(attempts - 1, 0)
    capped = min(base, settings.OUTBOX_RETRY_MAX)
    return float(capped * random.uniform(0.5, 1.0))  # noqa: S311 (not for security)


def _retry_later(row: OutboxEmail, error: str) -> str:
    if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        _finish(row, State.FAILED, error=f"Gave up after {row.attempts} attempts: {error}")
        return "failed"
    delay = backoff(row.attempts)
    updated = OutboxEmail.objects.filter(pk=row.pk, claim=row.claim).update(
        state=State.PENDING,
        claim=None,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=error[:2000],
    )
    if updated:
        transaction.on_commit(lambda: enqueue([row.pk], countdown=delay), robust=True)
    return "retry"


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
                    raise TemporaryFailure(f"SMTP server disconnected: {error}") from error
            except smtplib.SMTPRecipientsRefused as error:
                _close_connection()
                code, reason = next(iter(error.recipients.values()))
                raise _classify(code, reason) from error
            except smtplib.SMTPAuthenticationError as error:
                # A configuration problem: fixable without touching the message.
                _close_connection()
                raise TemporaryFailure(_describe(error.smtp_code, error.smtp_error)) from error
            except smtplib.SMTPResponseException as error:
                _close_connection()
                raise _classify(error.smtp_code, error.smtp_error) from error
            except (smtplib.SMTPException, OSError) as error:
                _close_connection()
                raise TemporaryFailure(f"SMTP connection failed: {error!r}") from error
            except ValueError as error:  # an address Django refuses to send to
                raise PermanentFailure(f"Invalid address: {error}") from error


def _describe(code: int, reason: bytes | str) -> str:
    text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    return f"SMTP {code}: {text}"


def _classify(code: int, reason: bytes | str) -> Exception:
    if 400 <= code < 500:
        return TemporaryFailure(_describe(code, reason))
    return PermanentFailure(_describe(code, reason))


# --- Rendering ---------------------------------------------------------------------


def absolute(url: str) -> str:
    return url if "://" in url else f"{settings.SITE_URL}{url}"


def unsubscribe_token(email: str, stream: str) -> str:
    return signing.dumps({"e": email.lower(), "s": stream}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[str, str]:
    """The (email, stream) of a token; raises signing.BadSignature."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not {"e", "s"} <= data.keys():
        raise signing.BadSignature("Malformed unsubscribe token.")
    return str(data["e"]), str(data["s"])


def unsubscribe_url(email: str, stream: str) -> str:
    return absolute(reverse("unsubscribe", args=[unsubscribe_token(email, stream)]))


def render(row: OutboxEmail) -> EmailMultiAlternatives:
    """The message of a row, in the recipient's language, with one layout."""
    with translation.override(row.language):
        context = {
            **row.context,
            "recipient": row.recipient,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "preferences_url": absolute(reverse("circle:email_preferences")) if row.user_id else "",
            "stream_label": mail_stream(row.stream).label if row.stream else "",
            "unsubscribe_url": unsubscribe_url(row.recipient, row.stream) if row.stream else "",
        }
        subject: str
        text: str
        html: str
        if row.template:
            subject = render_to_string(f"{row.template}_subject.txt", context)
            text = render_to_string(f"{row.template}.txt", context)
            html = render_to_string(f"{row.template}.html", context)
        else:
            subject, text = row.subject, row.body_text
            html = row.body_html or render_to_string(
                "emails/plain.html", context | {"subject": subject, "body": text}
            )
        if not row.body_html and not row.template:
            text = render_to_string("emails/plain.txt", context | {"body": text})
    headers = {"Message-ID": row.message_id, "Auto-Submitted": "auto-generated"}
    if row.stream:
        # RFC 8058: mail clients offer a button that POSTs to this address.
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        headers["List-Id"] = f"<{row.stream}.{_site_domain()}>"
        headers["Precedence"] = "bulk"
    message = EmailMultiAlternatives(
        # Templates escape for HTML; a subject is plain text ("Smith & Sons").
        subject=unescape_html(" ".join(subject.split())),
        body=text.strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient],
        headers=headers,
        reply_to=[row.reply_to] if row.reply_to else None,
    )
    message.attach_alternative(html, "text/html")
    for attachment in row.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return message


# --- Sweeping and staff actions -------------------------------------------------------


def sweep(limit: int = 5000) -> int:
    """Re-enqueue rows nobody is working on: pending rows whose task was lost
    (broker flushed or restarted) and rows claimed by a worker that died.
    Returns how many were re-enqueued."""
    now = timezone.now()
    quiet = now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER)
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT)
    not_recently_enqueued = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=quiet)
    lost = OutboxEmail.objects.filter(
        (
            Q(state=State.PENDING, next_attempt_at__lte=quiet)
            | Q(state=State.SENDING, claimed_at__lt=stale)
        )
        & not_recently_enqueued
    ).order_by("next_attempt_at")
    ids = list(lost.values_list("pk", flat=True)[:limit])
    if ids:
        logger.warning("Outbox sweeper re-enqueues %d email(s)", len(ids))
        enqueue(ids)
    return len(ids)


def retry(rows: models.QuerySet[OutboxEmail]) -> int:
    """Send failed or cancelled rows again (a staff action)."""
    with transaction.atomic():
        ids = list(
            rows.filter(state__in=[State.FAILED, State.CANCELLED]).values_list("pk", flat=True)
        )
        OutboxEmail.objects.filter(pk__in=ids).update(
            state=State.PENDING, attempts=0, next_attempt_at=timezone.now(), claim=None
        )
        if ids:
            transaction.on_commit(lambda: enqueue(ids), robust=True)
    return len(ids)


def cancel(rows: models.QuerySet[OutboxEmail]) -> int:
    """Stop rows that have not been sent (a staff action). A row a worker is
    sending right now cannot be stopped."""
    return rows.filter(state__in=[State.PENDING, State.FAILED]).update(
        state=State.CANCELLED, last_error="Cancelled by staff.", claim=None
    )


def purge(now: datetime | None = None) -> int:
    """Delete finished emails older than OUTBOX_KEEP_DAYS: the outbox is a
    delivery log, not an archive of people's mail. Their keys go with them,
    which is safe because keys name periods and objects that are long past."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    deleted, _ = OutboxEmail.objects.filter(
        state__in=[State.SENT, State.FAILED, State.CANCELLED], created_at__lt=cutoff
    ).delete()
    return deleted


def unsubscribe(email: str, stream: str, source: str) -> None:
    """The address gets no more mail of this stream, starting with what is
    already queued."""
    definition = mail_stream(stream)
    with transaction.atomic():
        Suppression.objects.get_or_create(
            email=email.lower(), stream=stream, defaults={"source": source}
        )
        OutboxEmail.objects.filter(
            recipient__iexact=email, stream=stream, state=State.PENDING
        ).update(state=State.CANCELLED, last_error="The recipient unsubscribed from this stream.")
        if definition.on_unsubscribe:
            definition.on_unsubscribe(email.lower())


def resubscribe(email: str, stream: str) -> None:
    """The person asked for this stream again (preferences, double opt-in)."""
    Suppression.objects.filter(email=email.lower(), stream=stream).delete()
