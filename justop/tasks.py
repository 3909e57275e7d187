from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

# The outbox's and the files' tasks sit beside the service they run (same
# task names); they are imported here for the worker's autodiscovery, and
# neither imports this module.
from justop.files import delete_files
from justop.outbox.delivery import send_email, send_emails
from justop.outbox.maintenance import purge_outbox, sweep_outbox

__all__ = ["delete_files", "purge_outbox", "send_email", "send_emails", "sweep_outbox"]


@shared_task
def clear_expired_sessions() -> int:
    """Delete sessions past their expiry; returns how many were removed."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def ping() -> str:
    """Answers 'pong': lets health checks and tests prove a worker runs tasks."""
    return "pong"
