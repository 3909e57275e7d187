"""Background work is configured so a crash delays a task but never loses it."""

import pytest

from justop.celery import app


def test_tasks_are_acknowledged_after_they_ran_and_requeued_when_a_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_tasks_have_time_limits_and_speak_json():
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]


def test_every_scheduled_task_exists():
    app.autodiscover_tasks(force=True)
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, f"beat entry {name} names an unknown task"


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
