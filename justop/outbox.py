"""The one delivery path for email: queue in the caller's transaction, send
from a Celery task that claims the row, sweep what a crash or a lost broker
message left behind.

Guarantees:
- queued once: the key (kind, recipient, object, period) is unique;
- never lost: a row stays pending until a worker marks it sent or gives up
  on it, and the sweeper re-enqueues rows nobody is working on;
- not doubled: a worker sends only a row it claimed with a conditional
  UPDATE, and marks each row sent as soon as the SMTP server accepted it. A
  worker killed after the server accepted a message but before the row was
  marked sent leaves one possible copy, which carries the same Message-ID as
  the original;
- kept without secrets: once sent, a row loses the links that act as its
  recipient (a reset, an invitation, a manage link; justop.redaction), in
  the statement that marks it sent. Until then it keeps them, for retries.

Emails queued together are sent together: a send task carries up to
BATCH_SIZE row ids, claims them in one statement and sends them one by one
over the worker's SMTP connection, each with its own outcome.
"""

from __future__ import annotations

import email.message
import email.policy
import hashlib
import logging
import random
import smtplib
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.policy import EmailPolicy, Policy
from email.utils import make_msgid
from functools import cache, lru_cache, partial
from html import unescape as unescape_html
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail, signing
from django.core.mail import EmailMultiAlternatives
from django.db import connections, models, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from justop import redaction
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
    # Their send tasks go to the broker when this commits: stamped now, so
    # enqueue() need not rewrite every row to say so.
    now = timezone.now()
    for row in candidates:
        row.enqueued_at = now
    with transaction.atomic():
        OutboxEmail.objects.bulk_create(candidates, ignore_conflicts=True, batch_size=1000)
        # bulk_create cannot say which rows it skipped: the Message-IDs, unique
        # and fresh, tell the rows this call created. Only their ids are read
        # back; the rest of each row is what was just written.
        pks = dict(
            OutboxEmail.objects.filter(
                message_id__in=[c.message_id for c in candidates]
            ).values_list("message_id", "pk")
        )
        created = [_saved(row, pks[row.message_id]) for row in candidates if row.message_id in pks]
        ids = _Stamped(row.pk for row in created)
        if ids:
            transaction.on_commit(lambda: enqueue(ids), robust=True)
    return created


class _Stamped(list[int]):
    """Ids of rows written with ``enqueued_at`` already set."""


def _saved(row: OutboxEmail, pk: int) -> OutboxEmail:
    row.pk = pk
    row._state.adding = False
    row._state.db = OutboxEmail.objects.db
    return row


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


def batches(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[i : i + BATCH_SIZE]) for i in range(0, len(ids), BATCH_SIZE)]


def enqueue(ids: Sequence[int], countdown: float | None = None) -> None:
    """Put send tasks on the broker for these rows, one per batch of
    BATCH_SIZE. If the broker is down the rows stay pending and the sweeper
    tries again."""
    from justop.celery import app
    from justop.tasks import send_emails

    if not isinstance(ids, _Stamped):
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


# --- Delivery ----------------------------------------------------------------------


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


class _RememberedHeader(BaseHeader):
    """A header that remembers how it was folded last: most headers of a run
    of messages are the same (From, the subject of a digest in one language,
    the content types), so they are folded once."""

    def fold(self, *, policy: Policy) -> str:
        remembered = self.__dict__.get("_folded")
        if remembered is not None and _same_policy(remembered[0], policy):
            return str(remembered[1])
        folded: str = super().fold(policy=policy)
        self.__dict__["_folded"] = (policy, folded)
        return folded


def _same_policy(one: Policy, other: Policy) -> bool:
    # The generator clones the policy for every part it writes: a clone with
    # the same settings folds the same way.
    return one is other or (type(one) is type(other) and one.__dict__ == other.__dict__)


class _HeaderClasses(HeaderRegistry):
    """Header parsing for outbox messages, the email package's own, with
    what it repeats for every message done once:

    - the registry builds a new class (``type(...)``) for every header it
      parses, about twenty a message: here each class is built once;
    - a header value seen recently (the same From, Subject or Content-Type
      on every message of a batch) is parsed once: header objects are
      immutable, so messages can share them.

    The bytes written are the same as without it."""

    REMEMBERED = 1000

    def __init__(self) -> None:
        super().__init__(base_class=_RememberedHeader)
        self._classes: dict[str, type] = {}
        self._parsed: dict[tuple[str, str], BaseHeader] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls

    def __call__(self, name: str, value: Any) -> BaseHeader:
        if type(value) is not str:  # a datetime for Date, say: equal is not the same
            return super().__call__(name, value)
        header = self._parsed.get((name, value))
        if header is None:
            if len(self._parsed) >= self.REMEMBERED:
                self._parsed.clear()
            header = self._parsed[name, value] = super().__call__(name, value)
        return header

    def map_to_type(self, name: str, cls: type) -> None:
        super().map_to_type(name, cls)
        self._classes.pop(name.lower(), None)
        self._parsed.clear()


class _OneLineHeader(UnstructuredHeader):
    """A header written on one line as given (RFC 5322 allows 998
    characters). The email package folds a long value without spaces, such
    as the unsubscribe URL, into RFC 2047 encoded words, which mail clients
    do not decode in List-Unsubscribe: Gmail then shows no unsubscribe
    button, and RFC 8058's one-click is lost."""

    name: str

    def fold(self, *, policy: Policy) -> str:
        value = str(self)
        if value.isascii() and len(self.name) + 2 + len(value) <= 998:
            return f"{self.name}: {value}{policy.linesep}"
        folded: str = super().fold(policy=policy)  # type: ignore[misc]
        return folded


_header_classes = _HeaderClasses()
_header_classes.map_to_type("list-unsubscribe", _OneLineHeader)


@lru_cache(maxsize=16)  # a few policies: SMTP's for sending, the default for previews
def _with_header_classes(policy: Policy) -> Policy:
    if isinstance(policy, EmailPolicy):
        return policy.clone(header_factory=_header_classes)
    return policy


class OutboxMessage(EmailMultiAlternatives):
    """The message of an outbox row: Django's, with the outbox's header
    parsing (above)."""

    def message(
        self, *, policy: Policy | None = email.policy.default
    ) -> email.message.EmailMessage:
        return super().message(policy=_with_header_classes(policy) if policy else policy)


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
    message = OutboxMessage(
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
