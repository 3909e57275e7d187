"""The Celery application. Configuration lives in Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "justop.settings")

app = Celery("justop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The beat schedule lives here, in code, so a deployment cannot drift from it.
app.conf.beat_schedule = {
    "clear-expired-sessions": {
        "task": "justop.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
}
