"""Queueing: an email is a row written in the caller's transaction, once
for its key; its send task goes to the broker when that commits."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from justop.models import OutboxEmail
from justop.outbox import delivery
from justop.outbox.suppression import suppressed_pairs
from justop.outbox.urls import site_domain
from justop.registry import mail_stream


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
            message_id=make_msgid(domain=site_domain()),
        )


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
        ids = delivery.Stamped(row.pk for row in created)
        if ids:
            transaction.on_commit(lambda: delivery.enqueue(ids), robust=True)
    return created


def _saved(row: OutboxEmail, pk: int) -> OutboxEmail:
    row.pk = pk
    row._state.adding = False
    row._state.db = OutboxEmail.objects.db
    return row
