"""Reminders before a forum, to the people with a place.

Each forum says when (hours before the start; 48 and 2 by default). A beat
task runs every ten minutes and queues, for every forum whose reminder time
has come, the reminder of each confirmed person; the outbox's key (kind,
address, registration, "reminder-<hours>h") makes each reminder go once per
person however often the task runs. Only the latest reminder that is due is
sent (a person who registers an hour before does not get the two-day one),
and nobody is reminded of a place they got after that reminder's time."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from forums.models import Forum, Registration
from forums.registration import email
from justop import outbox

# The largest reminder offset a forum may set (see models.validate_reminders).
HORIZON = timedelta(days=30)


def due_offset(forum: Forum, now: datetime) -> int | None:
    """The smallest offset whose time has passed, before the start."""
    passed = [h for h in forum.reminder_hours if forum.starts_at - timedelta(hours=h) <= now]
    return min(passed) if passed and now < forum.starts_at else None


def send_reminders(now: datetime | None = None) -> int:
    now = now or timezone.now()
    forums = Forum.objects.filter(
        status=Forum.Status.PUBLISHED, starts_at__gt=now, starts_at__lte=now + HORIZON
    ).exclude(reminders="")
    queued = 0
    for forum in forums:
        hours = due_offset(forum, now)
        if hours is None:
            continue
        moment = forum.starts_at - timedelta(hours=hours)
        people = forum.registrations.filter(status=Registration.Status.CONFIRMED).filter(
            Q(confirmed_at__isnull=True) | Q(confirmed_at__lte=moment)
        )
        with transaction.atomic():
            queued += len(
                outbox.queue_many(
                    [email(r, "reminder", period=f"reminder-{hours}h") for r in people]
                )
            )
    return queued
