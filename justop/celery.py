"""The Celery application. Configuration lives in Django settings (CELERY_*),
the beat schedule in the apps that own the tasks (register_beat)."""

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


# The beat schedule is code, so a deployment cannot drift from it: each app
# adds its entries in its AppConfig.ready() (register_beat). Beat reads the
# schedule only after Django is set up (Celery's Django fixup runs
# django.setup() when beat loads the task modules), so every entry is in.
app.conf.beat_schedule = {}


def register_beat(
    name: str,
    task: str,
    schedule: crontab | float,
    *,
    kwargs: dict[str, Any] | None = None,
) -> None:
    """Have beat send task (its registered name) on schedule, as entry name;
    times of a crontab are in CELERY_TIMEZONE."""
    entry: dict[str, Any] = {"task": task, "schedule": schedule}
    if kwargs is not None:
        entry["kwargs"] = kwargs
    # Two apps choosing one name would otherwise lose an entry in silence.
    if app.conf.beat_schedule.setdefault(name, entry) != entry:
        raise ValueError(f"Beat entry {name!r} is registered already, differently.")
