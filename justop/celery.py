"""The Celery application. Configuration lives in Django settings (CELERY_*)."""

import os
from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "justop.settings")

app = Celery("justop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_postrun.connect
def release_database_connections(sender: Any = None, **kwargs: Any) -> None:
    """What Django does at the end of a request: a connection goes back to
    the pool (or closes, without one), and one that failed is dropped, so a
    database restart costs a task, not the next thousand. Not for a task run
    eagerly inside a request or a test, whose connection is in use."""
    from django.db import connections

    if sender is None or getattr(sender.request, "is_eager", False):
        return
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()


# The beat schedule lives here, in code, so a deployment cannot drift from it.
app.conf.beat_schedule = {
    "clear-expired-sessions": {
        "task": "justop.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    # Re-enqueues email whose send task was lost (broker restart, dead worker).
    "sweep-outbox": {
        "task": "justop.tasks.sweep_outbox",
        "schedule": 60.0,
    },
    "purge-outbox": {
        "task": "justop.tasks.purge_outbox",
        "schedule": crontab(hour=3, minute=37),
    },
    # Digests go out in the morning, America/New_York (CELERY_TIMEZONE); each
    # covers the last complete day or week, and is sent once per period.
    "daily-digest": {
        "task": "circle.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0),
        "kwargs": {"frequency": "daily"},
    },
    # Volunteer sign-ups not confirmed within 24 hours free their places.
    "expire-signups": {
        "task": "volunteering.tasks.expire_signups",
        "schedule": crontab(minute="*/15"),
    },
    # The day-before reminder of volunteer shifts (each person once).
    "shift-reminders": {
        "task": "volunteering.tasks.send_shift_reminders",
        "schedule": crontab(minute=10),
    },
    # The newsletter: the public digest of the last week, to subscribers.
    "weekly-newsletter": {
        "task": "news.tasks.send_newsletter",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon"),
    },
    "weekly-digest": {
        "task": "circle.tasks.send_digests",
        "schedule": crontab(hour=7, minute=5, day_of_week="mon"),
        "kwargs": {"frequency": "weekly"},
    },
    # Forum reminders (per forum; 2 days and 2 hours before by default), each once per person.
    "forum-reminders": {
        "task": "forums.tasks.send_reminders",
        "schedule": crontab(minute="*/10"),
    },
    # Guest registrations not confirmed in time free their places.
    "expire-forum-registrations": {
        "task": "forums.tasks.expire_registrations",
        "schedule": crontab(minute="*/15"),
    },
    # Asks and offers past their deadline become closed (pages count them
    # as expired already; this stores it).
    "close-expired-posts": {
        "task": "asks.tasks.close_expired_posts",
        "schedule": crontab(minute=5),
    },
}
