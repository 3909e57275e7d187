"""Sweeping and staff actions: re-enqueue what a crash or a lost broker
message left behind, send again, cancel, purge. The beat's tasks sit here,
beside what they run (justop.tasks re-exports them)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from justop.models import OutboxEmail
from justop.outbox import delivery

# Every part of the outbox logs as "justop.outbox", as the one module did.
logger = logging.getLogger("justop.outbox")

State = OutboxEmail.State


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
        delivery.enqueue(ids)
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
            transaction.on_commit(lambda: delivery.enqueue(ids), robust=True)
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


@shared_task(name="justop.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    return sweep()


@shared_task(name="justop.tasks.purge_outbox", ignore_result=True)
def purge_outbox() -> int:
    return purge()
