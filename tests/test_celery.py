"""Background work is configured so a crash delays a task but never loses it."""

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
