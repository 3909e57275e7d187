from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from justop import files

# The outbox's tasks sit beside the service they run (same task names);
# they are imported here for the worker's autodiscovery, and the outbox
# never imports this module.
from justop.outbox.delivery import send_email, send_emails
from justop.outbox.maintenance import purge_outbox, sweep_outbox

__all__ = ["purge_outbox", "send_email", "send_emails", "sweep_outbox"]


@shared_task
def clear_expired_sessions() -> int:
    """Delete sessions past their expiry; returns how many were removed."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def ping() -> str:
    """Answers 'pong': lets health checks and tests prove a worker runs tasks."""
    return "pong"


# Deleting a missing object is no error, so a task run twice (acks_late)
# does no harm. Storage errors (a store that is briefly unreachable) are
# retried with backoff; what still fails, orphaned_files finds later.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def delete_files(alias: str, names: list[str], renditions: bool = False) -> int:
    """Delete the objects of replaced or deleted files (justop.files) that
    no row names any more; returns how many went."""
    return len(files.delete_unused(alias, names, renditions=renditions))
