"""Background work is configured so a crash delays a task but never loses it."""

import json

import pytest
from celery.schedules import crontab

from justop.celery import app, register_beat
from tests.fresh_process import run_python


def test_tasks_are_acknowledged_after_they_ran_and_requeued_when_a_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_tasks_have_time_limits_and_speak_json():
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]


# The whole schedule, as the apps register it in their AppConfig.ready().
EXPECTED_BEAT = {
    "clear-expired-sessions": {
        "task": "justop.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    "sweep-outbox": {"task": "justop.tasks.sweep_outbox", "schedule": 60.0},
    "purge-outbox": {"task": "justop.tasks.purge_outbox", "schedule": crontab(hour=3, minute=37)},
    "daily-digest": {
        "task": "circle.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0),
        "kwargs": {"frequency": "daily"},
    },
    "weekly-digest": {
        "task": "circle.tasks.send_digests",
        "schedule": crontab(hour=7, minute=5, day_of_week="mon"),
        "kwargs": {"frequency": "weekly"},
    },
    "expire-signups": {
        "task": "volunteering.tasks.expire_signups",
        "schedule": crontab(minute="*/15"),
    },
    "shift-reminders": {
        "task": "volunteering.tasks.send_shift_reminders",
        "schedule": crontab(minute=10),
    },
    "weekly-newsletter": {
        "task": "news.tasks.send_newsletter",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon"),
    },
    "forum-reminders": {"task": "forums.tasks.send_reminders", "schedule": crontab(minute="*/10")},
    "expire-forum-registrations": {
        "task": "forums.tasks.expire_registrations",
        "schedule": crontab(minute="*/15"),
    },
    "close-expired-posts": {
        "task": "asks.tasks.close_expired_posts",
        "schedule": crontab(minute=5),
    },
}
# Research has tasks, none of them periodic.
APPS_WITH_PERIODIC_WORK = {"justop", "circle", "asks", "forums", "news", "volunteering"}


def test_the_beat_schedule_holds_every_apps_entries():
    assert app.conf.beat_schedule == EXPECTED_BEAT


def test_every_scheduled_task_exists():
    app.autodiscover_tasks(force=True)
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, f"beat entry {name} names an unknown task"


def test_each_app_schedules_its_own_tasks():
    owners = {entry["task"].split(".")[0] for entry in app.conf.beat_schedule.values()}
    assert owners == APPS_WITH_PERIODIC_WORK
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"].split(".")[1] == "tasks", f"beat entry {name} runs no app's task"


def test_an_entry_name_cannot_be_taken_twice():
    register_beat("sweep-outbox", "justop.tasks.sweep_outbox", 60.0)  # the same: no harm
    with pytest.raises(ValueError, match="sweep-outbox"):
        register_beat("sweep-outbox", "forums.tasks.send_reminders", 60.0)
    assert app.conf.beat_schedule == EXPECTED_BEAT


def _described(schedule):
    return {name: [e["task"], repr(e["schedule"]), e.get("kwargs")] for name, e in schedule.items()}


# What `celery -A justop beat` does before it reads the schedule: Celery's
# Django fixup sets Django up as beat loads the task modules, so every app's
# ready() has run. In a fresh interpreter, so nothing this test run did counts.
BEAT_STARTUP = """
import json
from celery.apps.beat import Beat
from justop.celery import app
from tests.test_celery import _described

assert not app.conf.beat_schedule, "filled before Django was set up"
Beat(app=app, quiet=True).init_loader()
print(json.dumps(_described(app.conf.beat_schedule)))
"""


def test_beat_starts_with_the_whole_schedule():
    started = run_python("-c", BEAT_STARTUP, DJANGO_SETTINGS_MODULE="justop.settings")
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout.splitlines()[-1]) == _described(EXPECTED_BEAT)


def test_without_redis_tasks_run_in_the_web_process(settings):
    # The embedded default: no broker to run, tasks execute when called.
    if not settings.REDIS_URL:
        assert settings.CELERY_TASK_ALWAYS_EAGER is True
        assert settings.CELERY_BROKER_URL == "memory://"


class _Task:
    def __init__(self, *, is_eager: bool) -> None:
        self.request = type("Request", (), {"is_eager": is_eager})()


# SQLite's in-memory test database never closes its connection.
@pytest.mark.postgres
def test_a_worker_drops_a_broken_database_connection_after_a_task(transactional_db, monkeypatch):
    from django.db import connection

    from justop.celery import release_database_connections

    connection.ensure_connection()
    connection.errors_occurred = True
    monkeypatch.setattr(connection, "is_usable", lambda: False)
    release_database_connections(sender=_Task(is_eager=True))
    assert connection.connection is not None  # inside a request or a test: left alone
    release_database_connections(sender=_Task(is_eager=False))
    assert connection.connection is None


def test_workers_keep_their_database_connections_between_tasks(settings):
    # Celery's Django fixup would otherwise close psycopg's pool after every
    # task in a prefork child (docs/performance.md).
    assert app.conf.get("CELERY_DB_REUSE_MAX") == settings.CELERY_DB_REUSE_MAX >= 100
